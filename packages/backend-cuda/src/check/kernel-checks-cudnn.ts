// Kernel checks of the cuDNN attention route: the same APB mask shapes as our kernel's rows (causal, anchor +
// passing, query pass on the owner, unmasked query pass, GQA, head dims 64/128), run with route 1 and compared with
// the float64 twin (out and LSE). Each row's note says which route ran; a fallback (cuDNN missing, or a graph it
// could not build) is reported with its reason and compared all the same (then it checks our kernel).

import { rowOf } from "./check-report.js";
import type { CheckRow } from "./check-report.js";
import { compareArrays } from "./compare.js";
import { dtName, rand } from "./kernel-checks.js";
import type { KernelCase } from "./kernel-checks.js";
import { CUDNN_ATTN_LSE, CUDNN_ATTN_OUT, KERNEL_BF16, KERNEL_F32 } from "./tolerances.js";

interface AttnShape {
  readonly tq: number;
  readonly tk: number;
  readonly nq: number;
  readonly nkv: number;
  readonly dh: number;
  readonly anchorRows: number;
  readonly offset: number;
}

function cudnnAttentionCase(s: AttnShape, label: string): KernelCase {
  return async (env, arr): Promise<CheckRow> => {
    const q = rand(env, s.tq * s.nq * s.dh);
    const k = rand(env, s.tk * s.nkv * s.dh);
    const v = rand(env, s.tk * s.nkv * s.dh);
    const out = arr.empty(s.tq * s.nq * s.dh, env.dt);
    const lse = arr.empty(s.tq * s.nq, 0);
    const ran = env.addon.attention(env.ctx, { out, lse, q: arr.put(q, env.dt), k: arr.put(k, env.dt), v: arr.put(v, env.dt), ...s, dtype: env.dt, route: 1 });
    const wantOut = new Float32Array(s.tq * s.nq * s.dh);
    const wantLse = new Float32Array(s.tq * s.nq);
    env.addon.ref.attention({ out: wantOut, lse: wantLse, q, k, v, ...s });
    const cudnn = ran === "cudnn";
    const tolOut = cudnn ? CUDNN_ATTN_OUT : env.dt === 0 ? KERNEL_F32 : KERNEL_BF16;
    const o = compareArrays(await arr.get(out, wantOut.length, env.dt), wantOut, tolOut);
    const l = compareArrays(await arr.get(lse, wantLse.length, 0), wantLse, cudnn ? CUDNN_ATTN_LSE : KERNEL_F32);
    const lseNote = l.ok ? `lse relL2 ${l.relL2.toExponential(2)}` : `lse FAIL relL2 ${l.relL2} ${l.first.join("; ")}`;
    const shape = `${label} q${s.tq} k${s.tk} h${s.nq}/${s.nkv} d${s.dh}`;
    const row = rowOf({ suite: "kernel", op: "attention.cudnn", dtype: dtName(env.dt), shape, tol: tolOut.relL2, note: `ran: ${ran}` }, o);
    return { ...row, ok: row.ok && l.ok, note: [row.note, lseNote].filter((x) => x !== "").join(" | ") };
  };
}

/** cuDNN route rows (bfloat16 is what cuDNN runs; float32 rows show the fallback). */
export function cudnnKernelCases(): readonly { name: string; run: KernelCase }[] {
  const gqa = { nq: 8, nkv: 2 };
  return [
    { name: "attention.cudnn", run: cudnnAttentionCase({ tq: 200, tk: 200, ...gqa, dh: 128, anchorRows: 0, offset: 0 }, "causal") },
    { name: "attention.cudnn", run: cudnnAttentionCase({ tq: 77, tk: 77, ...gqa, dh: 64, anchorRows: 0, offset: 0 }, "causal") },
    { name: "attention.cudnn", run: cudnnAttentionCase({ tq: 64 + 150, tk: 64 + 96 + 150, ...gqa, dh: 128, anchorRows: 64, offset: 96 }, "apb") },
    { name: "attention.cudnn", run: cudnnAttentionCase({ tq: 7, tk: 300, ...gqa, dh: 128, anchorRows: 0, offset: 293 }, "query-owner") },
    { name: "attention.cudnn", run: cudnnAttentionCase({ tq: 7, tk: 300, ...gqa, dh: 128, anchorRows: 0, offset: 300 }, "unmasked") },
  ];
}
