// The one JSON line `apb bench-one` prints and `apb bench` reads back: the wire schema between the two processes.

import { z } from "zod";
import { STRATEGIES } from "./shared-options.js";

const ms = z.number().nonnegative();

export const benchLineSchema = z.object({
  strategy: z.enum(STRATEGIES),
  hosts: z.number().int().positive(),
  /** Context tokens (the question comes on top). */
  tokens: z.number().int().positive(),
  anchor: z.number().int().nonnegative(),
  passing: z.number().int().nonnegative(),
  selection: z.string().nullable(),
  promptTokens: z.number().int().positive(),
  prefillMs: ms,
  queryMs: ms,
  decodeMs: ms,
  /** process.resourceUsage().maxRSS of the child: every host thread of the configuration together. */
  peakRssKiB: z.number().nonnegative(),
  profile: z.object({ attentionMs: ms, totalOpMs: ms }).nullable(),
});

export type BenchLine = z.output<typeof benchLineSchema>;
