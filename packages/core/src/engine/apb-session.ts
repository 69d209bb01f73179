// A context kept resident on a group (ARCHITECTURE.md "context session"): prefilled once, asked many times, closed
// explicitly or after its time to live without questions.

import { SessionError } from "../errors/index.js";
import type { GenerateResult, RunOptions } from "./apb-engine.js";

/** One question against a session: text or ids, plus the usual per-run options. */
export interface AskRequest extends RunOptions {
  readonly question?: string;
  readonly questionIds?: ArrayLike<number>;
}

/** What the engine gives a session to act with (kept out of the public surface). */
export interface SessionBinding {
  readonly id: string;
  readonly context: Int32Array;
  readonly prefillMs: number;
  readonly ttlMs: number | undefined;
  ask(question: Int32Array, req: RunOptions): Promise<GenerateResult>;
  close(): Promise<void>;
  encodeQuestion(q: { question?: string; questionIds?: ArrayLike<number> }): Int32Array;
}

/** A prefilled context on the engine's hosts. Questions are served one at a time, in order. */
export class ApbSession {
  private state: "open" | "closed" | "expired" = "open";
  private timer: NodeJS.Timeout | undefined;
  private numAsked = 0;

  constructor(private readonly b: SessionBinding) {
    this.arm();
  }

  get id(): string {
    return this.b.id;
  }

  get numContextTokens(): number {
    return this.b.context.length;
  }

  /** Prefill time of the context, paid once. */
  get prefillMs(): number {
    return this.b.prefillMs;
  }

  /** Questions answered so far (each reused the one prefill). */
  get numQuestions(): number {
    return this.numAsked;
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  /**
   * Answers a question against the resident context (no prefill).
   * @throws SessionError SESSION_NOT_FOUND after close, SESSION_EXPIRED after the time to live; the errors of generate.
   */
  async ask(req: AskRequest): Promise<GenerateResult> {
    this.check();
    const q = this.b.encodeQuestion(req);
    this.arm();
    const r = await this.b.ask(q, req);
    this.numAsked += 1;
    this.arm();
    return r;
  }

  /** Frees the hosts' caches. Idempotent. */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    const wasOpen = this.state === "open";
    this.state = "closed";
    clearTimeout(this.timer);
    if (wasOpen) await this.b.close();
  }

  private check(): void {
    if (this.state === "expired") throw new SessionError("SESSION_EXPIRED", `session ${this.id} expired after ${this.b.ttlMs} ms without questions; open it again`, { session: this.id });
    if (this.state === "closed") throw new SessionError("SESSION_NOT_FOUND", `session ${this.id} is closed`, { session: this.id });
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.b.ttlMs === undefined || this.state !== "open") return;
    this.timer = setTimeout(() => {
      this.state = "expired";
      void this.b.close();
    }, this.b.ttlMs);
    this.timer.unref();
  }
}
