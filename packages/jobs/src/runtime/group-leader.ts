// Host 0 of a group: BullMQ workers on the group's queue and the shared corpus queues, one request at a time,
// paused while a member's heartbeat is missing; sessions swept at their TTL; a graceful close that hands back.

import { InputError, TransportError } from "@apb/core";
import { RedisConnection } from "@apb/transport-redis";
import { Worker } from "bullmq";
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

export class GroupLeader {
  private readonly workers: Worker[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private active: JobContext | undefined;
  private closing = false;
  private wasWhole: boolean | undefined;
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
    const opts: BullWorkerOptions = { connection: s.redis, prefix: s.keys.bullPrefix, concurrency: 1, autorun: false, lockDuration: o.lockDurationMs, name: `${o.group}/0` };
    this.workers.push(
      new Worker(s.keys.groupQueue(o.group), (job, _token, signal) => this.exclusive(() => this.process(job, "g", signal)), opts),
      new Worker(QUEUES.corpusDocuments, (job, _token, signal) => this.exclusive(() => this.process(job, "d", signal)), opts),
      new Worker(QUEUES.corpus, (job) => this.aggregate(job), opts),
    );
    for (const w of this.workers) w.on("error", (err) => s.log(`queue ${w.name}: ${err.message}`));
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
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(() => {
      if (this.closing) throw toBullFailure(new TransportError("TRANSPORT_CLOSED", "the worker is shutting down; the job is handed back"));
      return fn();
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async process(job: Job, tag: "g" | "d", signal: AbortSignal | undefined): Promise<unknown> {
    const s = this.g.services;
    const ctx = new JobContext(this.g, job, tag, signal);
    this.active = ctx;
    const t0 = performance.now();
    s.log(`job ${job.queueName}/${job.id} ${job.name} attempt ${job.attemptsMade + 1}: started`);
    try {
      const result = await this.dispatch(ctx, job, tag);
      s.log(`job ${job.queueName}/${job.id} ${job.name}: done in ${(performance.now() - t0).toFixed(0)} ms`);
      return result;
    } catch (err) {
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
    await this.exclusive(async () => {
      for (const id of await s.sweep()) await this.dropSession(id);
    }).catch(() => undefined);
  }

  private async loseSessions(): Promise<void> {
    const ids = await this.state.sessions.loseAll();
    for (const id of ids) this.g.services.runner.closeSession(id);
    if (ids.length > 0) this.g.services.log(`a member restarted: ${ids.length} session(s) lost`);
    await this.g.services.streams.announce({ v: 1, kind: "resetSessions" }).catch(() => undefined);
  }

  /** Stops taking jobs; the running one may finish within drainMs, then it is failed (retried elsewhere). */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweepTimer);
    const o = this.g.services.options;
    const handBack = setTimeout(() => this.active?.abort(new TransportError("TRANSPORT_CLOSED", "the worker is shutting down; the job is handed back")), o.drainMs);
    await Promise.all(this.workers.map((w) => w.close()));
    clearTimeout(handBack);
    this.g.members.stop();
    await this.g.services.streams.deleteAnnouncements().catch(() => undefined);
    await this.g.transport.close();
  }
}
