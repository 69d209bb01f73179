// What a worker process holds while it runs, shared by its leader or member role.

import type { Redis } from "ioredis";
import type { GroupStreams, Heartbeat } from "../group/index.js";
import type { JobKeys } from "../keys/index.js";
import type { HostRunner } from "./host-runner.js";
import type { WorkerOptions } from "./worker-options.js";

export interface WorkerServices {
  readonly options: WorkerOptions;
  readonly keys: JobKeys;
  /** Commands (BullMQ shares it). */
  readonly redis: Redis;
  /** XREAD BLOCK only. */
  readonly blocking: Redis;
  readonly streams: GroupStreams;
  readonly runner: HostRunner;
  readonly heartbeat: Heartbeat;
  /** One line per event (job taken, request failed, member gone); the CLI prints them on stderr. */
  readonly log: (line: string) => void;
}
