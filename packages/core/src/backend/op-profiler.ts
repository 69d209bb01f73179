// Per-op wall-clock profile of a backend (for benchmarks: e.g. the attention share of prefill). Off by default.

import type { Backend } from "./backend.js";
import type { Tensor } from "../tensor/tensor.js";

/** Milliseconds spent in each backend op since the last reset. */
export type OpProfile = Record<string, number>;

const TIMED_OPS = ["embed", "attnIn", "attention", "attnOut", "logits", "queryScores", "download"] as const;

/** Wraps a backend so its async ops are timed while `enabled`. */
export class OpProfiler<T extends Tensor> {
  enabled = false;
  private times: OpProfile = {};
  readonly backend: Backend<T>;

  constructor(inner: Backend<T>) {
    const timed: Partial<Backend<T>> = {};
    for (const op of TIMED_OPS) {
      const f = inner[op].bind(inner) as (...args: unknown[]) => Promise<unknown>;
      (timed as Record<string, unknown>)[op] = async (...args: unknown[]): Promise<unknown> => {
        if (!this.enabled) return f(...args);
        const t0 = performance.now();
        try {
          return await f(...args);
        } finally {
          this.times[op] = (this.times[op] ?? 0) + performance.now() - t0;
        }
      };
    }
    this.backend = new Proxy(inner, {
      get: (target, prop, receiver) => (prop in timed ? (timed as Record<PropertyKey, unknown>)[prop] : Reflect.get(target, prop, receiver)),
    });
  }

  /** Starts a fresh profile. */
  reset(enabled: boolean): void {
    this.enabled = enabled;
    this.times = {};
  }

  get profile(): OpProfile {
    return { ...this.times };
  }
}
