// Kernel vs CPU twin checks, part 3: our attention kernel split over key chunks (split-K, few query rows over many
// keys: decode steps and the query pass). Most rows force the split (the op's `split` = n chunks, so the path runs
// whatever the GPU's SM count) and fail unless the op reports "kernel split-K"; "split auto" rows take the automatic
// choice (on a GPU with 5 or more SMs these shapes split) and note the route that ran.

import { attentionCase } from "./kernel-checks-selection.js";
import type { KernelCase } from "./kernel-checks.js";

/** Part 3 of the kernel cases (named "attention", like the unsplit rows). */
export function splitKernelCases(): readonly { name: string; run: KernelCase }[] {
  const gqa = { nq: 8, nkv: 2 };
  return [
    // one decode row over 5000 keys (it sees them all): 16 chunks of 320 keys; then the automatic choice at d 64
    { name: "attention", run: attentionCase({ tq: 1, tk: 5000, ...gqa, dh: 128, anchorRows: 0, offset: 4999 }, "decode", 16) },
    { name: "attention", run: attentionCase({ tq: 1, tk: 5000, ...gqa, dh: 64, anchorRows: 0, offset: 4999 }, "decode", 0) },
    // causal with an offset: the row sees 2000 of 5000 keys (63 chunks of 32, more than a warp's worth of partials),
    // then 3000 of 5000 automatically
    { name: "attention", run: attentionCase({ tq: 1, tk: 5000, ...gqa, dh: 64, anchorRows: 0, offset: 1999 }, "decode causal-offset", 64) },
    { name: "attention", run: attentionCase({ tq: 1, tk: 5000, ...gqa, dh: 128, anchorRows: 0, offset: 2999 }, "decode causal-offset", 0) },
    // the query pass on the owner (7 rows seeing 2994..3000 keys, uneven last chunk), then unmasked automatically
    { name: "attention", run: attentionCase({ tq: 7, tk: 3000, ...gqa, dh: 128, anchorRows: 0, offset: 2993 }, "query-owner", 11) },
    { name: "attention", run: attentionCase({ tq: 7, tk: 3000, ...gqa, dh: 64, anchorRows: 0, offset: 3000 }, "query-unmasked", 0) },
    // the APB mask: anchor rows 0-2 see 1-3 keys (only chunk 0; every other chunk is empty for them, LSE −inf),
    // rows 3-6 see 2504-2507 of 4000 keys
    { name: "attention", run: attentionCase({ tq: 7, tk: 4000, ...gqa, dh: 128, anchorRows: 3, offset: 2500 }, "apb", 9) },
    { name: "attention", run: attentionCase({ tq: 1, tk: 4000, ...gqa, dh: 64, anchorRows: 0, offset: 2500 }, "apb local row", 0) },
    // an odd head size (34: no 16-byte rows, so the scalar tile loads) with one KV head for four query heads
    { name: "attention", run: attentionCase({ tq: 3, tk: 1500, nq: 4, nkv: 1, dh: 34, anchorRows: 0, offset: 1497 }, "odd-dim", 5) },
    // the one-row decode kernel (automatic, must report "kernel decode"): every head size it takes, groups of 1-8
    // query heads, a row seeing only part of the keys, an anchor row seeing one key, few keys (one chunk)
    ...[
      { tk: 9000, nq: 32, nkv: 8, dh: 128, offset: 8999, label: "decode-kernel" },
      { tk: 5000, nq: 8, nkv: 1, dh: 64, offset: 4999, label: "decode-kernel group 8" },
      { tk: 3000, nq: 6, nkv: 6, dh: 256, offset: 2999, label: "decode-kernel group 1" },
      { tk: 4100, nq: 12, nkv: 4, dh: 32, offset: 1234, label: "decode-kernel causal-offset" },
      { tk: 700, nq: 8, nkv: 2, dh: 128, offset: 0, anchorRows: 1, label: "decode-kernel anchor row" },
      { tk: 77, nq: 4, nkv: 2, dh: 64, offset: 76, label: "decode-kernel few keys" },
    ].map((d) => ({ name: "attention", run: attentionCase({ tq: 1, tk: d.tk, nq: d.nq, nkv: d.nkv, dh: d.dh, anchorRows: d.anchorRows ?? 0, offset: d.offset }, d.label, 0, "kernel decode") })),
  ];
}
