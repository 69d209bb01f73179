// A group of H hosts as worker threads of this process: the embedded default. Starts the workers, routes their
// frames through a hub, runs one request at a time in lock-step, and fails the request on every host when one fails.

import { availableParallelism } from "node:os";
import { ApbError, TransportError, deserializeError } from "../errors/index.js";
import type { SerializedApbError } from "../errors/index.js";
import { loadModel, loadRetainingHeads, shareModelWeights, shareRetainingHeads } from "../model/index.js";
import type { GroupPlan } from "../plan/index.js";
import type { SamplingParams } from "../sampling/index.js";
import { RequestHub } from "../transport/index.js";
import { HostThread } from "./host-thread.js";
import type { BackendInfo, BackendSpec, FromHost, HostDone, RunMode, SharedModel, ToHost } from "./messages.js";

export interface GroupOptions {
  readonly modelDir: string;
  readonly numHosts: number;
  readonly backend: BackendSpec;
  /** Retaining heads (safetensors, APB-Locret layout); needed for retaining-heads selection. */
  readonly headsPath?: string;
  /** CPU threads per host; default max(1, floor(cores / hosts)). */
  readonly threadsPerHost?: number;
  /** After a host fails, how long the others get to stop before they count as hung (default 10 s). */
  readonly failureGraceMs?: number;
}

export interface GroupRunOptions {
  readonly signal?: AbortSignal;
  /** Longest wait for one exchange between hosts (a hung peer fails the request after this). Default 10 min. */
  readonly stepTimeoutMs?: number;
  readonly onToken?: (token: number, index: number) => void;
  /** generate (default), open a session (prefill only) or ask an open session. */
  readonly mode?: RunMode;
  /** Return every host's cache contents (tests). */
  readonly dumpCache?: boolean;
  /** Time every backend op on every host. */
  readonly profile?: boolean;
  /** Return the logits of every generated token (tests). */
  readonly keepLogits?: boolean;
}

/** What every host reported for one request, in host order. */
export type GroupRunResult = readonly HostDone[];

interface Running {
  readonly req: number;
  readonly hub: RequestHub;
  readonly results: (HostDone | undefined)[];
  readonly errors: (SerializedApbError | undefined)[];
  numFinished: number;
  graceTimer: NodeJS.Timeout | undefined;
  onToken: ((token: number, index: number) => void) | undefined;
  finish(): void;
}

/** H hosts in worker threads of this process. */
export class InProcessGroup {
  private nextReq = 1;
  private running: Running | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private broken: ApbError | undefined;

  private constructor(
    private readonly hosts: HostThread[],
    readonly numHosts: number,
    private readonly failureGraceMs: number,
  ) {
    hosts.forEach((t, host) => {
      t.onMessage((m: FromHost) => this.onMessage(host, m));
      t.onExit((err) => this.onCrash(host, err));
    });
  }

  /** The backend each host loaded, in host order (and why "auto" fell back to onnx, when it did). */
  get backends(): readonly BackendInfo[] {
    return this.hosts.map((t) => t.backend);
  }

  /**
   * Starts H worker threads and loads the model on each.
   * @throws ModelError / BackendError from loading (the first host's error), after stopping every worker.
   */
  static async start(o: GroupOptions): Promise<InProcessGroup> {
    const threads = o.threadsPerHost ?? Math.max(1, Math.floor(availableParallelism() / o.numHosts));
    const model = await loadSharedModel(o);
    const started = await Promise.allSettled(
      Array.from({ length: o.numHosts }, (_, host) => HostThread.start({ host, numHosts: o.numHosts, modelDir: o.modelDir, model, backend: o.backend, threads })),
    );
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed !== undefined) {
      await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.terminate() : undefined)));
      throw failed.reason;
    }
    const hosts = started.map((s) => (s as PromiseFulfilledResult<HostThread>).value);
    return new InProcessGroup(hosts, o.numHosts, o.failureGraceMs ?? 10_000);
  }

  /** Runs one planned request on every host; requests queue and run one at a time. */
  run(plan: GroupPlan, sampling: SamplingParams, opts: GroupRunOptions = {}): Promise<GroupRunResult> {
    const next = this.queue.then(() => this.runNow(plan, sampling, opts));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private runNow(plan: GroupPlan, sampling: SamplingParams, opts: GroupRunOptions): Promise<GroupRunResult> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (plan.numHosts !== this.numHosts) return Promise.reject(new ApbError("PLAN_INVALID", `plan for ${plan.numHosts} hosts on a group of ${this.numHosts}`));
    opts.signal?.throwIfAborted();
    const req = this.nextReq++;
    return new Promise<GroupRunResult>((resolve, reject) => {
      const onAbort = (): void => this.post("all", { t: "abort", req });
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      const hub = new RequestHub({
        frames: (host, id, frames) => this.post(host, { t: "frames", req, id, frames }, frames.map((f) => f.buffer as ArrayBuffer)),
        failed: (host, id, error) => this.post(host, { t: "takeFailed", req, id, error }),
      });
      const running: Running = {
        req,
        hub,
        results: new Array<HostDone | undefined>(this.numHosts).fill(undefined),
        errors: new Array<SerializedApbError | undefined>(this.numHosts).fill(undefined),
        numFinished: 0,
        graceTimer: undefined,
        onToken: opts.onToken,
        finish: () => {
          clearTimeout(running.graceTimer);
          opts.signal?.removeEventListener("abort", onAbort);
          hub.clear();
          this.running = undefined;
          const err = rootError(running.errors);
          if (err !== undefined) reject(deserializeError(err));
          else resolve(running.results as HostDone[]);
        },
      };
      this.running = running;
      this.post("all", { t: "run", req, transport: { kind: "hub" }, plan, sampling, stepTimeoutMs: opts.stepTimeoutMs ?? 600_000, mode: opts.mode ?? { kind: "generate" }, dumpCache: opts.dumpCache ?? false, profile: opts.profile ?? false, keepLogits: opts.keepLogits ?? false });
    });
  }

  private post(to: number | "all", m: ToHost, transfer: ArrayBuffer[] = []): void {
    if (to === "all") for (const t of this.hosts) t.post(m);
    else this.hosts[to]!.post(m, transfer);
  }

  private onMessage(host: number, m: FromHost): void {
    const r = this.running;
    if (r === undefined || !("req" in m) || m.req !== r.req) return;
    switch (m.t) {
      case "put":
        r.hub.put(m.host, m.tag, m.frame, m.readers);
        break;
      case "take":
        r.hub.take(m.host, m.id, m.tag, m.from);
        break;
      case "fail":
        r.hub.fail(m.error);
        this.startGrace(r);
        break;
      case "token":
        if (host === this.numHosts - 1) r.onToken?.(m.token, m.index); // every host reports it; the owner's is first
        break;
      case "progress":
        break;
      case "done":
        r.results[host] = { result: m.result, cache: m.cache, profile: m.profile };
        this.finishHost(r);
        break;
      case "failed":
        r.errors[host] = m.error;
        r.hub.fail(m.error);
        this.startGrace(r);
        this.finishHost(r);
        break;
    }
  }

  /**
   * Once a request has failed, every host must stop within the grace period; a host still busy then (hung in a
   * backend op) is given up: the request fails now and the group is stopped, since that thread cannot be trusted.
   */
  private startGrace(r: Running): void {
    if (r.graceTimer !== undefined) return;
    this.post("all", { t: "abort", req: r.req });
    r.graceTimer = setTimeout(() => {
      if (this.running !== r) return;
      const hung: number[] = [];
      for (let h = 0; h < this.numHosts; h++) {
        if (r.results[h] !== undefined || r.errors[h] !== undefined) continue;
        hung.push(h);
        r.errors[h] = { code: "HOST_FAILED", message: `host ${h} did not stop within ${this.failureGraceMs} ms after the request failed` };
      }
      this.broken = new TransportError("HOST_FAILED", `host(s) ${hung.join(", ")} hung; start a new group`);
      r.numFinished = this.numHosts;
      r.finish();
      void Promise.all(this.hosts.map((t) => t.terminate()));
    }, this.failureGraceMs);
    r.graceTimer.unref?.();
  }

  private finishHost(r: Running): void {
    r.numFinished += 1;
    if (r.numFinished === this.numHosts) r.finish();
  }

  private onCrash(host: number, err: Error): void {
    if (this.broken !== undefined) return;
    this.broken = new TransportError("HOST_FAILED", `host ${host} stopped: ${err.message}; start a new group`);
    const r = this.running;
    if (r !== undefined) {
      r.hub.fail(this.broken.toJSON());
      for (let h = 0; h < this.numHosts; h++) {
        if (r.results[h] === undefined && r.errors[h] === undefined && h === host) {
          r.errors[h] = this.broken.toJSON();
          this.finishHost(r);
        }
      }
    }
  }

  /** Drops a session's caches on every host (after the requests queued before it). */
  closeSession(session: string): Promise<void> {
    const next = this.queue.then(() => this.post("all", { t: "closeSession", session }));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stops every worker (after the running request, if any). */
  async close(): Promise<void> {
    await this.queue;
    this.broken ??= new TransportError("TRANSPORT_CLOSED", "the group is closed");
    await Promise.all(this.hosts.map((t) => t.terminate()));
  }
}

/** Loads the checkpoint (and heads) once for all hosts, into shared memory. */
export async function loadSharedModel(o: { modelDir: string; headsPath?: string }): Promise<SharedModel> {
  const { config, weights } = await loadModel(o.modelDir);
  const heads = o.headsPath === undefined ? undefined : await loadRetainingHeads(o.headsPath, config);
  return { config, weights: shareModelWeights(weights), heads: heads === undefined ? undefined : shareRetainingHeads(heads) };
}

/** The error that started a failure: a host's own error beats the HOST_FAILED echoes of the others. */
function rootError(errors: readonly (SerializedApbError | undefined)[]): SerializedApbError | undefined {
  const present = errors.filter((e): e is SerializedApbError => e !== undefined);
  return present.find((e) => e.code !== "HOST_FAILED" && e.code !== "ABORTED") ?? present.find((e) => e.code === "ABORTED") ?? present[0];
}
