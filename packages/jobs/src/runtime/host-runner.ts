// This process's one host: a core HostThread (model and backend inside, so the event loop stays free) driven by
// request key, with the Redis transport module loaded in the thread.

import { HostThread, TransportError } from "@apb/core";
import type { ApbError, BackendInfo, FromHost, GroupPlan, HostInit, HostProgress, RunMode, SamplingParams } from "@apb/core";
import type { RedisTransportModuleOptions } from "@apb/transport-redis";
import { outcomeOf } from "../group/index.js";
import type { HostOutcome } from "../group/index.js";

/** One request as every host of the group runs it. */
export interface HostRunSpec {
  readonly requestKey: string;
  readonly plan: GroupPlan;
  readonly sampling: SamplingParams;
  readonly mode: RunMode;
  readonly stepTimeoutMs: number;
}

export interface HostRunListener {
  onProgress?(p: HostProgress): void;
  onToken?(token: number, index: number): void;
}

interface Pending {
  readonly requestKey: string;
  readonly listener: HostRunListener;
  resolve(o: HostOutcome): void;
}

/** The transport module every host thread loads (resolved here, so the thread needs no package lookup). */
const TRANSPORT_MODULE = import.meta.resolve("@apb/transport-redis");

/** Drives one HostThread. A crashed thread fails its requests (HOST_FAILED) and calls onCrash. */
export class HostRunner {
  private nextReq = 1;
  private readonly pending = new Map<number, Pending>();
  private crashed: ApbError | undefined;
  private stopping = false;
  private crashListener: ((err: ApbError) => void) | undefined;
  /** The backend this host loaded, and why "auto" fell back to onnx when it did. */
  readonly backend: BackendInfo;

  private constructor(
    private readonly thread: HostThread,
    readonly host: number,
    private readonly transportOptions: RedisTransportModuleOptions,
  ) {
    thread.onMessage((m) => this.onMessage(m));
    this.backend = thread.backend;
    thread.onExit((err) => this.onExit(err));
  }

  /**
   * Starts the host thread and loads the model and backend in it.
   * @throws ModelError / BackendError from loading.
   */
  static async start(init: HostInit, transportOptions: RedisTransportModuleOptions): Promise<HostRunner> {
    return new HostRunner(await HostThread.start(init), init.host, transportOptions);
  }

  /** Requests running now. */
  get numRunning(): number {
    return this.pending.size;
  }

  /** Called once if the thread dies. */
  onCrash(listener: (err: ApbError) => void): void {
    this.crashListener = listener;
  }

  /** Runs a request on this host; resolves with its outcome (never rejects). */
  run(spec: HostRunSpec, listener: HostRunListener = {}): Promise<HostOutcome> {
    if (this.crashed !== undefined) return Promise.resolve({ kind: "failed", error: this.crashed.toJSON() });
    const req = this.nextReq++;
    return new Promise<HostOutcome>((resolve) => {
      this.pending.set(req, { requestKey: spec.requestKey, listener, resolve });
      this.thread.post({
        t: "run",
        req,
        transport: { kind: "module", module: TRANSPORT_MODULE, requestKey: spec.requestKey, options: this.transportOptions },
        plan: spec.plan,
        sampling: spec.sampling,
        stepTimeoutMs: spec.stepTimeoutMs,
        mode: spec.mode,
        dumpCache: false,
        profile: false,
        keepLogits: false,
      });
    });
  }

  /** Stops a running request at its next step (it then reports failed). */
  abort(requestKey: string): void {
    for (const [req, p] of this.pending) if (p.requestKey === requestKey) this.thread.post({ t: "abort", req });
  }

  closeSession(session: string): void {
    if (this.crashed === undefined) this.thread.post({ t: "closeSession", session });
  }

  async terminate(): Promise<void> {
    this.stopping = true;
    await this.thread.terminate();
  }

  private onMessage(m: FromHost): void {
    if (!("req" in m)) return;
    const p = this.pending.get(m.req);
    if (p === undefined) return;
    switch (m.t) {
      case "progress":
        p.listener.onProgress?.({ phase: m.phase, done: m.done, total: m.total });
        break;
      case "token":
        p.listener.onToken?.(m.token, m.index);
        break;
      case "done":
        this.pending.delete(m.req);
        p.resolve(outcomeOf(m.result));
        break;
      case "failed":
        this.pending.delete(m.req);
        p.resolve({ kind: "failed", error: m.error });
        break;
      default:
        break;
    }
  }

  private onExit(err: Error): void {
    if (this.stopping || this.crashed !== undefined) return;
    this.crashed = new TransportError("HOST_FAILED", `host ${this.host}'s thread stopped: ${err.message}`, { cause: err });
    for (const p of this.pending.values()) p.resolve({ kind: "failed", error: this.crashed.toJSON() });
    this.pending.clear();
    this.crashListener?.(this.crashed);
  }
}
