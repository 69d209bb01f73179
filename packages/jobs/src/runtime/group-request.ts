// The leader's side of one request: announce it, run it on its own host, collect every host's report from the
// request's status stream, fail it on every host when a member vanishes, then delete the request's keys.

import { TransportError, deserializeError, toApbError } from "@apb/core";
import type { ApbError, GroupPlan, HostProgress, RunMode, SamplingParams, SerializedApbError } from "@apb/core";
import { RedisRequestScope } from "@apb/transport-redis";
import type { RedisConnection } from "@apb/transport-redis";
import { encodePlan } from "../group/index.js";
import type { GroupWatch, HostOutcome, Instances, ReportedResult } from "../group/index.js";
import type { WorkerServices } from "./worker-services.js";

export interface GroupRunArgs {
  readonly requestKey: string;
  readonly plan: GroupPlan;
  readonly sampling: SamplingParams;
  readonly mode: RunMode;
  readonly onProgress?: (p: HostProgress) => void;
  readonly onToken?: (token: number, index: number) => void;
  /** Fails the request on every host with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The leader's view of its group while it runs requests. */
export interface LeaderGroup {
  readonly services: WorkerServices;
  /** Heartbeats of hosts 1..H-1. */
  readonly members: GroupWatch;
  /** The transport's connection (failing a request, deleting its keys). */
  readonly transport: RedisConnection;
}

/** How often the collect loop wakes without reports (failure and grace checks). */
const COLLECT_BLOCK_MS = 250;

/** The error that started a failure: a host's own error beats the HOST_FAILED / ABORTED echoes (as core's group). */
function rootError(errors: readonly SerializedApbError[]): SerializedApbError | undefined {
  return errors.find((e) => e.code !== "HOST_FAILED" && e.code !== "ABORTED") ?? errors.find((e) => e.code === "ABORTED") ?? errors[0];
}

/** One request on the group. `run()` resolves with the owner's result or rejects with the root error. */
export class GroupRequest {
  private readonly numHosts: number;
  private readonly outcomes: (HostOutcome | undefined)[];
  private readonly snapshot: Instances;
  private readonly scope: RedisRequestScope;
  private cause: SerializedApbError | undefined;
  private failedAt: number | undefined;

  constructor(
    private readonly g: LeaderGroup,
    private readonly a: GroupRunArgs,
  ) {
    this.numHosts = g.services.options.hosts;
    this.outcomes = new Array<HostOutcome | undefined>(this.numHosts).fill(undefined);
    this.snapshot = g.members.instances;
    this.scope = new RedisRequestScope(g.transport, { group: g.services.options.group, request: a.requestKey, numHosts: this.numHosts });
  }

  /** @throws the root ApbError of a failed request (HOST_FAILED "host I stopped" when a member vanished). */
  async run(): Promise<ReportedResult> {
    const missing = this.missingMembers(this.snapshot);
    if (missing.length > 0) throw new TransportError("HOST_FAILED", `group ${this.g.services.options.group} is missing host(s) ${missing.join(", ")}`);
    const s = this.g.services;
    const onChange = (now: Instances): void => this.checkMembers(now);
    const onAbort = (): void => this.fail(toApbError(this.a.signal!.reason).toJSON());
    await s.streams.announce({ v: 1, kind: "run", requestKey: this.a.requestKey, plan: encodePlan(this.a.plan), sampling: this.a.sampling, mode: this.a.mode, stepTimeoutMs: s.options.stepTimeoutMs });
    this.g.members.on("change", onChange);
    this.a.signal?.addEventListener("abort", onAbort, { once: true });
    if (this.a.signal?.aborted) onAbort();
    this.checkMembers(this.g.members.instances);
    void this.runLocal();
    try {
      await this.collect();
    } finally {
      this.g.members.off("change", onChange);
      this.a.signal?.removeEventListener("abort", onAbort);
      await this.cleanup();
    }
    return this.result();
  }

  /** Runs host 0 here and reports like a member (so the collect loop wakes on the stream). */
  private async runLocal(): Promise<void> {
    const s = this.g.services;
    const spec = { requestKey: this.a.requestKey, plan: this.a.plan, sampling: this.a.sampling, mode: this.a.mode, stepTimeoutMs: s.options.stepTimeoutMs };
    const o = await s.runner.run(spec, { onProgress: this.a.onProgress, onToken: this.a.onToken });
    this.settle(0, o);
    const report = o.kind === "done" ? { v: 1 as const, kind: "done" as const, host: 0, instance: s.heartbeat.instance, result: o.result } : { v: 1 as const, kind: "failed" as const, host: 0, instance: s.heartbeat.instance, error: o.error };
    await s.streams.report(this.a.requestKey, report).catch(() => undefined);
  }

  private missingMembers(now: Instances): number[] {
    return now.flatMap((inst, i) => (inst === undefined ? [i + 1] : []));
  }

  /** A member whose heartbeat vanished or changed instance since the start: the request fails on every host. */
  private checkMembers(now: Instances): void {
    for (let i = 0; i < now.length; i++) {
      if (now[i] === this.snapshot[i] || this.outcomes[i + 1] !== undefined) continue;
      const err = new TransportError("HOST_FAILED", `host ${i + 1} stopped`, { data: { host: i + 1 } }).toJSON();
      this.outcomes[i + 1] = { kind: "failed", error: err };
      this.fail(err);
    }
  }

  /** Fails the request on every host: the transport's control stream, an abort announcement and our own thread. */
  private fail(err: SerializedApbError): void {
    if (this.cause !== undefined) return;
    this.cause = err;
    this.failedAt ??= performance.now();
    const s = this.g.services;
    s.log(`request ${this.a.requestKey} failed: [${err.code}] ${err.message}`);
    s.runner.abort(this.a.requestKey);
    void this.scope.fail(err).catch(() => undefined);
    void s.streams.announce({ v: 1, kind: "abort", requestKey: this.a.requestKey }).catch(() => undefined);
  }

  private settle(host: number, o: HostOutcome): void {
    if (this.outcomes[host] !== undefined) return;
    this.outcomes[host] = o;
    if (o.kind === "failed") this.failedAt ??= performance.now();
  }

  /** Reads reports until every host has one, or the grace after a failure ran out. */
  private async collect(): Promise<void> {
    let cursor = "0-0";
    const s = this.g.services;
    while (this.outcomes.some((o) => o === undefined)) {
      if (this.failedAt !== undefined && performance.now() - this.failedAt > s.options.graceMs) {
        this.giveUpOnSilentHosts();
        return;
      }
      const reads = await s.streams.readReports(this.a.requestKey, cursor, COLLECT_BLOCK_MS).catch(() => []);
      for (const r of reads) {
        cursor = r.id;
        if ("error" in r) continue;
        const m = r.message;
        const expected = m.host === 0 ? s.heartbeat.instance : this.snapshot[m.host - 1];
        if (m.host >= this.numHosts || m.instance !== expected) continue; // a stale or foreign report
        this.settle(m.host, m.kind === "done" ? { kind: "done", result: m.result } : { kind: "failed", error: m.error as SerializedApbError });
      }
    }
  }

  private giveUpOnSilentHosts(): void {
    this.outcomes.forEach((o, h) => {
      if (o !== undefined) return;
      const err = new TransportError("HOST_FAILED", `host ${h} did not stop within ${this.g.services.options.graceMs} ms after the request failed`).toJSON();
      this.outcomes[h] = { kind: "failed", error: err };
    });
  }

  /** Deletes the request's transport keys and status stream (errors are left to the keys' TTL). */
  private async cleanup(): Promise<void> {
    await this.scope.cleanup().catch(() => undefined);
    await this.g.services.streams.deleteStatus(this.a.requestKey).catch(() => undefined);
  }

  private result(): ReportedResult {
    const errors = this.outcomes.flatMap((o) => (o?.kind === "failed" ? [o.error] : []));
    if (errors.length > 0) throw deserializeError(this.cause ?? rootError(errors)!) as ApbError;
    const owner = this.outcomes[this.numHosts - 1]!;
    return (owner as Extract<HostOutcome, { kind: "done" }>).result;
  }
}
