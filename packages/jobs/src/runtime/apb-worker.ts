// One worker process of a group (`apb worker`): loads the shared model and this host's thread, heartbeats, and runs
// as the group's leader (host 0) or a member; close() shuts down gracefully.

import { loadSharedModel } from "@apb/core";
import { GroupStreams, Heartbeat } from "../group/index.js";
import { JobKeys } from "../keys/index.js";
import { closeRedis, connectRedis } from "../connection/index.js";
import { GroupLeader } from "./group-leader.js";
import { GroupMember } from "./group-member.js";
import { HostRunner } from "./host-runner.js";
import { RequestPlanner, defaultHeadsPath } from "./request-planner.js";
import { parseWorkerOptions } from "./worker-options.js";
import type { WorkerOptionsInput } from "./worker-options.js";
import type { WorkerServices } from "./worker-services.js";

export interface StartWorkerOptions {
  /** One line per event (the CLI prints them on stderr). */
  readonly log?: (line: string) => void;
  /** Called when the host thread dies: the process should exit non-zero (a supervisor restarts it). */
  readonly onFatal?: (err: Error) => void;
}

/** A running worker process. */
export class ApbWorker {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly s: WorkerServices,
    private readonly role: GroupLeader | GroupMember,
  ) {}

  /**
   * Connects, loads the model, starts the host thread and joins the group.
   * @throws ConfigError for bad options or a host index already running; ModelError / BackendError from loading;
   * TransportError TRANSPORT_CLOSED when Redis cannot be reached.
   */
  static async start(input: WorkerOptionsInput, so: StartWorkerOptions = {}): Promise<ApbWorker> {
    const o = parseWorkerOptions(input);
    const log = so.log ?? ((): void => undefined);
    const keys = new JobKeys(o.prefix);
    const name = `apb-${o.group}-${o.host}`;
    const redis = await connectRedis(o.redis, { name });
    const blocking = await connectRedis(o.redis, { name: `${name}-blocking` }).catch(async (err: unknown) => {
      await closeRedis(redis);
      throw err;
    });
    let runner: HostRunner | undefined;
    const heartbeat = new Heartbeat(redis, keys.heartbeat(o.group, o.host), { intervalMs: o.heartbeatMs, ttlMs: o.heartbeatTtlMs });
    try {
      const model = await loadSharedModel({ modelDir: o.model, headsPath: defaultHeadsPath(o.model) });
      const transport = { url: o.redis, keyPrefix: o.prefix, group: o.group };
      runner = await HostRunner.start({ host: o.host, numHosts: o.hosts, modelDir: o.model, model, backend: o.backend, threads: o.threads }, transport);
      const s: WorkerServices = { options: o, keys, redis, blocking, streams: new GroupStreams(redis, blocking, keys, o.group), runner, heartbeat, log };
      runner.onCrash((err) => so.onFatal?.(err));
      const role = await ApbWorker.join(s);
      const b = runner.backend;
      log(`group ${o.group} host ${o.host}/${o.hosts} (${o.host === 0 ? "leader" : "member"}) ready, pid ${process.pid}, backend ${b.name}${b.note === undefined ? "" : ` (${b.note})`}`);
      return new ApbWorker(s, role);
    } catch (err) {
      await runner?.terminate();
      await heartbeat.stop();
      await Promise.all([closeRedis(redis), closeRedis(blocking)]);
      throw err;
    }
  }

  /** Host 0 leads (its heartbeat first, then the queues); the others follow. */
  private static async join(s: WorkerServices): Promise<GroupLeader | GroupMember> {
    const o = s.options;
    if (o.host !== 0) return GroupMember.start(s);
    const planner = await RequestPlanner.load(o.model, o.hosts);
    await s.heartbeat.acquire(o.heartbeatTtlMs * 3);
    s.heartbeat.start();
    return GroupLeader.start(s, planner);
  }

  get isLeader(): boolean {
    return this.role instanceof GroupLeader;
  }

  /** Stops taking work, lets the running request finish (or hands it back after drainMs), and disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const s = this.s;
      s.log(`group ${s.options.group} host ${s.options.host}: shutting down`);
      await this.role.close();
      await s.heartbeat.stop();
      await s.runner.terminate();
      await Promise.all([closeRedis(s.redis), closeRedis(s.blocking)]);
    })();
    return this.closing;
  }
}
