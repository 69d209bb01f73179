// Reports a running job's progress through BullMQ (prefill layer i/L, decode tokens), throttled so that a fast
// decode does not turn into one Redis write per token.

import type { HostProgress } from "@apb/core";
import type { Job } from "bullmq";
import type { JobProgress } from "../payloads/index.js";

const MIN_INTERVAL_MS = 100;

export class JobProgressReporter {
  private last = 0;
  private lastPhase: string | undefined;
  private readonly tokens: number[] = [];
  private total = 0;

  constructor(private readonly job: Job) {}

  /** A request starts: tokens it may decode (the decode bar's length); a job's next request starts afresh. */
  expect(maxTokens: number): void {
    this.total = maxTokens;
    this.tokens.length = 0;
    this.lastPhase = undefined;
  }

  /** Host 0's progress (prefill layers; decode counts come with tokens). */
  onProgress(p: HostProgress): void {
    if (p.phase === "decode") return;
    this.send({ phase: p.phase, done: p.done, total: p.total }, p.done === p.total);
  }

  onToken(token: number, index: number): void {
    this.tokens[index] = token;
    this.send({ phase: "decode", done: this.tokens.length, total: Math.max(this.total, this.tokens.length), tokens: [...this.tokens] }, false);
  }

  private send(p: JobProgress, force: boolean): void {
    const now = performance.now();
    if (!force && p.phase === this.lastPhase && now - this.last < MIN_INTERVAL_MS) return;
    this.last = now;
    this.lastPhase = p.phase;
    this.job.updateProgress(p as unknown as object).catch(() => undefined);
  }
}
