// Host 0 of a group: BullMQ workers on the group's queue and the shared corpus queues, one request at a time,
// paused while a member's heartbeat is missing; sessions swept at their TTL; a graceful close that hands jobs back.

import { InputError, TransportError } from "@apb/core";
import { RedisConnection } from "@apb/transport-redis";
import { WaitingError, Worker } from "bullmq";
import type { Job, WorkerOptions as BullWorkerOptions } from "bullmq";
import { toBullFailure } from "../errors/index.js";
import { GroupWatch } from "../group/index.js";
import type { Instances } from "../group/index.js";
import { QUEUES } from "../keys/index.js";
import { parsePayload } from "../payloads/index.js";
import type { LeaderGroup } from "./group-request.js";
import { JobContext } from "./job-context.js";
import { runCorpus, runDocument, runGenerate, runSessionAsk, runSessionClose, runSessionOpen } from "./job-handlers.js";
import type { LeaderState } from "./job-handlers.js";
import type { RequestPlanner } from "./request-planner.js";
import { SessionRegistry } from "./session-registry.js";
import type { WorkerServices } from "./worker-services.js";

const SWEEP_MS = 500;

function handBackError(): TransportError {
  return new TransportError("TRANSPORT_CLOSED", "the worker is shutting down; the job is handed back");
}

export class GroupLeader {
  private readonly workers: Worker[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private active: JobContext | undefined;
  private closing = false;
  /** Set when close() stops the running request after drainMs: its failure hands the job back. */
  private handingBack = false;
  private wasWhole: boolean | undefined;
  private readonly onConnectionClosed = (): void => this.connectionLost();
  private readonly seen: (string | undefined)[];
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly state: LeaderState;

  private constructor(
    private readonly g: LeaderGroup,
    planner: RequestPlanner,
  ) {
    const s = g.services;
    const sessions = new SessionRegistry(s.redis, s.keys, s.options.group, s.options.sessionTombstoneMs);
    this.state = { planner, sessions, dropSessionOnHosts: (id) => this.dropSession(id) };
    this.seen = g.members.instances.slice();
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_MS);
  }

  /** Connects the transport, drops stale session caches on the members, and starts taking jobs once the group is whole. */
  static async start(s: WorkerServices, planner: RequestPlanner): Promise<GroupLeader> {
    const o = s.options;
    const transport = await RedisConnection.connect({ url: o.redis, keyPrefix: o.prefix, connectionName: `apb-leader-${o.group}` });
    const members = new GroupWatch(s.redis, s.keys, { group: o.group, hosts: Array.from({ length: o.hosts - 1 }, (_, i) => i + 1) });
    const leader = new GroupLeader({ services: s, members, transport }, planner);
    await s.streams.announce({ v: 1, kind: "resetSessions" });
    leader.createWorkers();
    members.on("change", (now) => leader.onMembers(now));
    await members.start();
    leader.onMembers(members.instances);
    return leader;
  }

  private createWorkers(): void {
    const s = this.g.services;
    const o = s.options;
    const opts: BullWorkerOptions = {
      connection: s.redis,
      prefix: s.keys.bullPrefix,
      concurrency: 1,
      autorun: false,
      lockDuration: o.lockDurationMs,
      stalledInterval: o.stalledIntervalMs,
      name: `${o.group}/0`,
    };
    this.workers.push(
      new Worker(s.keys.groupQueue(o.group), (job, token, signal) => this.exclusive(job, token, () => this.process(job, "g", token, signal)), opts),
      new Worker(QUEUES.corpusDocuments, (job, token, signal) => this.exclusive(job, token, () => this.process(job, "d", token, signal)), opts),
      new Worker(QUEUES.corpus, (job) => this.aggregate(job), opts),
    );
    for (const w of this.workers) {
      w.on("error", (err) => s.log(`queue ${w.name}: ${err.message}`));
      w.on("lockRenewalFailed", (ids) => this.lockLost(w.name, ids));
    }
    s.redis.on("close", this.onConnectionClosed);
  }

  /**
   * The connection to Redis dropped while a request ran: frames and reports in flight may be lost (a Redis restart
   * without persistence loses them all), so the hosts could wait for them until stepTimeoutMs. Fail the request now;
   * BullMQ retries the job if Redis still has it (the client gets JobLostError if not).
   */
  private connectionLost(): void {
    if (this.closing || this.active === undefined) return;
    this.g.services.log(`the connection to Redis dropped during job ${this.active.job.id}: failing its request`);
    this.active.abort(new TransportError("TRANSPORT_CLOSED", "the connection to Redis dropped during the request; frames in flight may be lost, so it is retried"));
  }

  /** BullMQ could not renew the running job's lock: the job is gone or another leader may take it; stop it here. */
  private lockLost(queue: string, ids: readonly string[]): void {
    const a = this.active;
    if (a === undefined || a.job.queueName !== queue || !ids.includes(String(a.job.id))) return;
    a.abort(new TransportError("TRANSPORT_CLOSED", `job ${a.job.id} lost its lock in Redis (removed, or taken over after a stall)`));
  }

  /** Pauses the job workers while a member is missing, resumes them once the group is whole; a restart loses sessions. */
  private onMembers(now: Instances): void {
    const s = this.g.services;
    let restarted = false;
    now.forEach((inst, i) => {
      if (inst === undefined) return;
      if (this.seen[i] !== undefined && this.seen[i] !== inst) restarted = true;
      this.seen[i] = inst;
    });
    if (restarted) void this.loseSessions();
    const whole = now.every((i) => i !== undefined);
    if (this.closing || whole === this.wasWhole) return;
    this.wasWhole = whole;
    s.log(whole ? `group ${s.options.group} is whole: taking jobs` : `group ${s.options.group} is missing host(s) ${now.flatMap((v, i) => (v === undefined ? [i + 1] : [])).join(", ")}: paused`);
    for (const w of this.workers.slice(0, 2)) void (whole ? w.resume() : w.pause(true));
    if (whole) void this.workers[2]!.resume();
  }

  /** One request at a time on the group. A job that reaches the group while it shuts down is handed back. */
  private exclusive<T>(job: Job, token: string | undefined, fn: () => Promise<T>): Promise<T> {
    return this.serial(() => (this.closing ? this.handBack(job, token) : fn()));
  }

  /** Runs `fn` after everything queued before it on this group (jobs, session sweeps). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /**
   * Moves a taken job back to wait, at the front (BullMQ's moveToWait): not an attempt made, so no backoff and no
   * retry spent; the next leader of any group for its queue takes it first.
   */
  private async handBack(job: Job, token: string | undefined): Promise<never> {
    try {
      await job.moveToWait(token);
    } catch (err) {
      throw toBullFailure(new TransportError("TRANSPORT_CLOSED", `handing job ${job.id} back failed: ${(err as Error).message}`, { cause: err }));
    }
    this.g.services.log(`job ${job.queueName}/${job.id} ${job.name}: handed back to the queue`);
    throw new WaitingError(`job ${job.id} was handed back by a worker that is shutting down`);
  }

  private async process(job: Job, tag: "g" | "d", token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const s = this.g.services;
    const ctx = new JobContext(this.g, job, tag, signal);
    this.active = ctx;
    const t0 = performance.now();
    s.log(`job ${job.queueName}/${job.id} ${job.name} attempt ${job.attemptsMade + 1} (start ${job.attemptsStarted}): started`);
    try {
      const result = await this.dispatch(ctx, job, tag);
      s.log(`job ${job.queueName}/${job.id} ${job.name}: done in ${(performance.now() - t0).toFixed(0)} ms`);
      return result;
    } catch (err) {
      if (this.handingBack) return await this.handBack(job, token);
      const failure = toBullFailure(err);
      s.log(`job ${job.queueName}/${job.id} ${job.name}: failed (${failure.name}) ${failure.message}`);
      throw failure;
    } finally {
      ctx.dispose();
      this.active = undefined;
    }
  }

  private dispatch(ctx: JobContext, job: Job, tag: "g" | "d"): Promise<unknown> {
    const st = this.state;
    if (tag === "d" || job.name === "corpus.document") {
      if (tag !== "d" || job.name !== "corpus.document") throw new InputError("INPUT_INVALID", `job kind ${job.name} does not belong on queue ${job.queueName}`);
      return runDocument(ctx, st, parsePayload("corpus.document", job.data));
    }
    switch (job.name) {
      case "generate":
        return runGenerate(ctx, st, parsePayload("generate", job.data));
      case "session.open":
        return runSessionOpen(ctx, st, parsePayload("session.open", job.data));
      case "session.ask":
        return runSessionAsk(ctx, st, parsePayload("session.ask", job.data));
      case "session.close":
        return runSessionClose(ctx, st, parsePayload("session.close", job.data));
      default:
        parsePayload(job.name, job.data); // unknown kinds get parsePayload's message
        throw new InputError("INPUT_INVALID", `job kind ${job.name} does not run on a group queue`);
    }
  }

  private async aggregate(job: Job): Promise<unknown> {
    try {
      return await runCorpus(job, parsePayload("corpus", job.data));
    } catch (err) {
      throw toBullFailure(err);
    }
  }

  private async dropSession(id: string): Promise<void> {
    this.g.services.runner.closeSession(id);
    await this.g.services.streams.announce({ v: 1, kind: "closeSession", session: id });
  }

  private async sweep(): Promise<void> {
    const s = this.state.sessions;
    if (s.size === 0 || this.closing) return;
    await this.serial(async () => {
      if (this.closing) return;
      for (const id of await s.sweep()) await this.dropSession(id);
    }).catch(() => undefined);
  }

  private async loseSessions(): Promise<void> {
    const ids = await this.state.sessions.loseAll();
    for (const id of ids) this.g.services.runner.closeSession(id);
    if (ids.length > 0) this.g.services.log(`a member restarted: ${ids.length} session(s) lost`);
    await this.g.services.streams.announce({ v: 1, kind: "resetSessions" }).catch(() => undefined);
  }

  /**
   * Stops taking jobs; the running one may finish within drainMs, else its request is stopped on every host and the
   * job handed back to wait (as are jobs taken but not started), for this group's next leader or another group.
   */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweepTimer);
    const s = this.g.services;
    s.redis.off("close", this.onConnectionClosed);
    const handBack = setTimeout(() => {
      this.handingBack = true;
      this.active?.abort(handBackError());
    }, s.options.drainMs);
    await Promise.all(this.workers.map((w) => w.close()));
    clearTimeout(handBack);
    this.g.members.stop();
    await this.g.services.streams.deleteAnnouncements().catch(() => undefined);
    await this.g.transport.close();
  }
}
