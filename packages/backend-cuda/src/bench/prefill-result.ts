// What the GPU prefill bench measures, as the JSON it writes (rewritten after every phase and length, so a run cut by
// its deadline still leaves every finished row): load, correctness vs HF, full-prefill timings, strategy timings.

/** Device memory read around a phase (bytes); absent on backends without a device. */
export interface MemoryPeak {
  /** High-water mark of the stream-ordered pool's bytes in use (weights + activations + caches). */
  readonly usedHighBytes: number;
  readonly reservedHighBytes: number;
  readonly totalBytes: number;
}

/** Our tokens against the expected ones, with the reference's margin where they first differ. */
export interface TokenAgreement {
  readonly numSame: number;
  readonly numTokens: number;
  readonly identical: boolean;
  /** First differing step, absent when identical. */
  readonly firstMismatch?: {
    readonly step: number;
    /** Absent when that side has no token there (a shorter output). */
    readonly ours: number | undefined;
    readonly expected: number | undefined;
    /** Expected side's top-1 − top-2 there, and that gap over the logits' spread (when known). */
    readonly margin?: number;
    readonly marginOverStd?: number;
    /** Our token was the expected side's runner-up. */
    readonly oursWasRunnerUp?: boolean;
    /** The gap was within a few times our measured logit error: a near-tie, not a wrong computation. */
    readonly nearTie?: boolean;
  };
}

/** One engine configuration on the correctness prompt. */
export interface CorrectnessRun {
  readonly name: string;
  readonly strategy: string;
  readonly hosts: number;
  readonly anchor: number;
  readonly passing: number;
  readonly tokens: readonly number[];
  readonly ms: number;
  /** Relative L2 of the prompt's last-position logits vs the comparison target (HF for full, full for the others). */
  readonly logitsRelL2?: number;
  /** hf: transformers bf16; hf-f32: transformers on the same weights in float32; full: our full strategy. */
  readonly tokensVs: "hf" | "hf-f32" | "full";
  /** A context row (transformers' own bf16 error): shown with its verdict, not counted in the overall result. */
  readonly informational?: boolean;
  readonly agreement?: TokenAgreement;
  readonly ok: boolean;
}

/** Teacher-forced check: our logits at every step of HF's greedy path (one forward over prompt + HF's tokens). */
export interface ForcedCheck {
  readonly numSteps: number;
  readonly numArgmaxSame: number;
  /** Steps whose argmax differs but whose HF margin is within the near-tie bound. */
  readonly numNearTies: number;
  /** Steps whose argmax differs outside the near-tie bound (real mismatches). */
  readonly badSteps: readonly number[];
  readonly maxRelL2: number;
  readonly medianRelL2: number;
  readonly ok: boolean;
}

export interface CorrectnessResult {
  readonly promptTokens: number;
  readonly newTokens: number;
  readonly logitsTol: number;
  readonly referenceTokens?: readonly number[];
  readonly runs: readonly CorrectnessRun[];
  readonly forced?: ForcedCheck;
  /** The teacher-forced check on the float32 reference's greedy path. */
  readonly forcedF32?: ForcedCheck;
  readonly ok: boolean;
}

/** Full attention prefill of `length` tokens on one host (prefill of length − 1, then the last token's logits). */
export interface FullRow {
  readonly length: number;
  readonly warmupMs: number;
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  readonly minMs: number;
  /** Engine timings of the median run's parts: the prefill of length − 1 rows, then the last token's pass. */
  readonly prefillMs: number;
  readonly queryMs: number;
  readonly memory?: MemoryPeak;
  /** Our last-token logits against PyTorch's on the same ids (when its bench wrote them). */
  readonly vsTorch?: { readonly relL2: number; readonly argmaxSame: boolean };
}

/** One virtual host's prefill, run alone on the GPU. */
export interface HostTiming {
  readonly host: number;
  readonly rows: number;
  readonly ms: number;
  /** Backend op time by op (core's OpProfiler), of the last timed repetition. */
  readonly opMs: Readonly<Record<string, number>>;
}

/** A strategy's prefill with H virtual hosts, hosts run one after another so each one's time is its own. */
export interface StrategyRow {
  readonly strategy: string;
  readonly length: number;
  readonly hosts: number;
  readonly blockLen: number;
  readonly anchor: number;
  readonly passing: number;
  readonly selection?: string;
  readonly perHost: readonly HostTiming[];
  /** Slowest host (what H GPUs would take, exchange excluded) and the sum (the whole group's compute). */
  readonly maxHostMs: number;
  readonly sumHostMs: number;
  readonly maxHostAttentionMs: number;
  readonly reps: number;
  readonly memory?: MemoryPeak;
}

export interface PhaseError {
  readonly phase: string;
  readonly code: string;
  readonly message: string;
}

export interface PrefillBenchResult {
  format: "apb-gpu-prefill/1";
  date: string;
  backend: string;
  device?: string;
  model: { dir: string; layers: number; hidden: number; vocab: number; heads: string };
  load?: { loadMs: number; uploadMs: number; weightBytes: number; memory?: MemoryPeak };
  correctness?: CorrectnessResult;
  /**
   * The same checks with our backend storing float32 (our kernel for attention, float32 GEMMs without TF32) against HF
   * in float32: where both sides compute the exact math, bf16 rounding cannot flip near-ties.
   */
  correctnessF32?: CorrectnessResult;
  full: FullRow[];
  strategies: StrategyRow[];
  skipped: string[];
  errors: PhaseError[];
  attentionPaths: string[];
  gemmPaths: string[];
}
