// Kernel vs CPU twin checks, part 2: attention with APB masks (causal, anchor + passing, query pass, no keys, GQA,
// head sizes 64/80/128), LSE merge (with empty partials), query scores, gather, top-k (ties, NaN, masked rows),
// max-pool and argmax.

import { rowOf } from "./check-report.js";
import { compareArrays, compareExact } from "./compare.js";
import type { DeviceArrays } from "./device-arrays.js";
import { dtName, judge, rand } from "./kernel-checks.js";
import type { KernelCase, KernelEnv } from "./kernel-checks.js";
import { KERNEL_F32 } from "./tolerances.js";

export interface AttnShape {
  readonly tq: number;
  readonly tk: number;
  readonly nq: number;
  readonly nkv: number;
  readonly dh: number;
  readonly anchorRows: number;
  readonly offset: number;
}

/**
 * Our kernel (route 0) vs the float64 twin, out and LSE. `split` is passed to the op (undefined/0 automatic, n ≥ 2
 * forces n key chunks, and then the op must report "kernel split-K"); split rows note the route that ran. `route`:
 * the route the op must report (e.g. "kernel decode" for one automatic row).
 */
export function attentionCase(s: AttnShape, label: string, split?: number, route?: string): KernelCase {
  return async (env, arr) => {
    const q = rand(env, s.tq * s.nq * s.dh);
    const k = rand(env, s.tk * s.nkv * s.dh);
    const v = rand(env, s.tk * s.nkv * s.dh);
    const out = arr.empty(s.tq * s.nq * s.dh, env.dt);
    const lse = arr.empty(s.tq * s.nq, 0);
    const fields = { out, lse, q: arr.put(q, env.dt), k: arr.put(k, env.dt), v: arr.put(v, env.dt), ...s, dtype: env.dt, route: 0 as const };
    const ran = env.addon.attention(env.ctx, split === undefined ? fields : { ...fields, split });
    const wantOut = new Float32Array(s.tq * s.nq * s.dh);
    const wantLse = new Float32Array(s.tq * s.nq);
    env.addon.ref.attention({ out: wantOut, lse: wantLse, q, k, v, ...s });
    const splitLabel = split === undefined ? "" : split === 0 ? " split auto" : ` split ${split}`;
    const shape = `${label}${splitLabel} q${s.tq} k${s.tk} h${s.nq}/${s.nkv} d${s.dh}`;
    const forced = split !== undefined && split >= 2;
    const want = route ?? (forced ? "kernel split-K" : undefined);
    const pathOk = want === undefined || ran.startsWith(want);
    const o = judge({ op: "attention.out", shape, dt: env.dt, note: split === undefined ? "" : `ran: ${ran}${pathOk ? "" : ` (FAIL: expected ${want})`}` }, await arr.get(out, wantOut.length, env.dt), wantOut);
    const l = compareArrays(await arr.get(lse, wantLse.length, 0), wantLse, KERNEL_F32);
    const lseNote = l.ok ? `lse relL2 ${l.relL2.toExponential(2)}` : `lse FAIL relL2 ${l.relL2} ${l.first.join("; ")}`;
    return { ...o, ok: o.ok && l.ok && pathOk, note: [o.note, lseNote].filter((x) => x !== "").join(" | ") };
  };
}

const lseMergeCase: KernelCase = async (env, arr) => {
  const [rows, heads, dh] = [6, 4, 64];
  const outA = rand(env, rows * heads * dh);
  const outB = rand(env, rows * heads * dh);
  const lseA = Float32Array.from({ length: rows * heads }, (_, i) => (i % 7 === 3 ? -Infinity : 5 * env.rng.normal()));
  const lseB = Float32Array.from({ length: rows * heads }, (_, i) => (i % 5 === 1 ? -Infinity : 5 * env.rng.normal() + (i % 3 === 0 ? 40 : 0)));
  const o = arr.put(outA, env.dt);
  const l = arr.put(lseA, 0);
  env.addon.lseMerge(env.ctx, { out: o, lse: l, outB: arr.put(outB, env.dt), lseB: arr.put(lseB, 0), rows, heads, dh, dtype: env.dt });
  const wantOut = outA.slice();
  const wantLse = lseA.slice();
  env.addon.ref.lseMerge({ out: wantOut, lse: wantLse, outB, lseB, rows, heads, dh });
  const r = judge({ op: "lseMerge", shape: `${rows}x${heads}x${dh}`, dt: env.dt }, await arr.get(o, wantOut.length, env.dt), wantOut);
  const c = compareArrays(await arr.get(l, wantLse.length, 0), wantLse, KERNEL_F32);
  return { ...r, ok: r.ok && c.ok, note: c.ok ? r.note : `lse ${c.first.join("; ")}` };
};

const queryScoresCase: KernelCase = async (env, arr) => {
  const [probes, rows, nq, nkv, dh] = [5, 70, 8, 2, 64];
  const q = rand(env, probes * nq * dh);
  const k = rand(env, rows * nkv * dh);
  const out = arr.empty(rows * nkv, 0);
  env.addon.queryScores(env.ctx, { out, q: arr.put(q, env.dt), k: arr.put(k, env.dt), probes, rows, nq, nkv, dh, dtype: env.dt });
  const want = new Float32Array(rows * nkv);
  env.addon.ref.queryScores({ out: want, q, k, probes, rows, nq, nkv, dh });
  return judge({ op: "queryScores", shape: `p${probes} t${rows} h${nq}/${nkv} d${dh}`, dt: 0 }, await arr.get(out, want.length, 0), want);
};

const gatherCase: KernelCase = async (env, arr) => {
  const [srcRows, rows, nkv, dh] = [40, 12, 4, 64];
  const x = rand(env, srcRows * nkv * dh);
  const idx = Int32Array.from({ length: rows * nkv }, () => env.rng.int(srcRows));
  const out = arr.empty(rows * nkv * dh, env.dt);
  env.addon.gatherHeads(env.ctx, { out, x: arr.put(x, env.dt), idx: arr.putRaw(idx), rows, srcRows, nkv, dh, dtype: env.dt });
  const want = new Float32Array(rows * nkv * dh);
  env.addon.ref.gatherHeads({ out: want, x, idx, rows, srcRows, nkv, dh });
  return rowOf({ suite: "kernel", op: "gatherHeads", dtype: dtName(env.dt), shape: `${rows}x${nkv}x${dh}`, tol: 0 }, compareExact(await arr.get(out, want.length, env.dt), want));
};

/** Top-k with ties (scores quantised to quarters), NaN entries and a masked prefix; indices must match exactly. */
function topkCase(rows: number, k: number, maskLen: number): KernelCase {
  return async (env: KernelEnv, arr: DeviceArrays) => {
    const channels = 8;
    const scores = Float32Array.from({ length: rows * channels }, (_, i) => (i % 97 === 5 ? Number.NaN : Math.round(env.rng.normal() * 4) / 4));
    const idx = arr.emptyInts(k * channels);
    env.addon.topk(env.ctx, { idx, scores: arr.put(scores, 0), rows, channels, maskLen, k });
    const want = new Int32Array(k * channels);
    env.addon.ref.topk({ idx: want, scores, rows, channels, maskLen, k });
    return rowOf({ suite: "kernel", op: "topk", dtype: "f32", shape: `t${rows} k${k} mask${maskLen}`, tol: 0 }, compareExact(await arr.getInts(idx, want.length), want));
  };
}

const maxpoolCase: KernelCase = async (env, arr) => {
  const [rows, channels] = [53, 8];
  const x = env.rng.normals(rows * channels, 1);
  const out = arr.empty(rows * channels, 0);
  env.addon.maxpool(env.ctx, { out, in: arr.put(x, 0), rows, channels, kernel: 5 });
  const want = new Float32Array(rows * channels);
  env.addon.ref.maxpool({ out: want, in: x, rows, channels, kernel: 5 });
  return rowOf({ suite: "kernel", op: "maxpool", dtype: "f32", shape: `${rows}x${channels} k5`, tol: 0 }, compareExact(await arr.get(out, want.length, 0), want));
};

const argmaxCase: KernelCase = async (env, arr) => {
  const [rows, vocab] = [4, 50_000];
  const logits = env.rng.normals(rows * vocab, 3);
  logits[vocab + 10] = Number.NaN; // NaN never wins
  logits[2 * vocab + 123] = 50; // a tie: the lower index wins
  logits[2 * vocab + 4567] = 50;
  logits.fill(-Infinity, 3 * vocab, 4 * vocab); // a row of -inf gives 0
  const out = arr.emptyInts(rows);
  env.addon.argmax(env.ctx, { out, logits: arr.put(logits, 0), rows, vocab });
  const want = new Int32Array(rows);
  env.addon.ref.argmax({ out: want, logits, rows, vocab });
  return rowOf({ suite: "kernel", op: "argmax", dtype: "f32", shape: `${rows}x${vocab}`, tol: 0 }, compareExact(await arr.getInts(out, rows), want));
};

/** Part 2 of the kernel cases. */
export function selectionKernelCases(): readonly { name: string; run: KernelCase }[] {
  const gqa = { nq: 8, nkv: 2 };
  return [
    { name: "attention", run: attentionCase({ tq: 37, tk: 37, ...gqa, dh: 64, anchorRows: 0, offset: 0 }, "causal") },
    { name: "attention", run: attentionCase({ tq: 16 + 40, tk: 16 + 24 + 40, ...gqa, dh: 128, anchorRows: 16, offset: 24 }, "apb") },
    { name: "attention", run: attentionCase({ tq: 5, tk: 69, ...gqa, dh: 128, anchorRows: 0, offset: 64 }, "query-owner") },
    { name: "attention", run: attentionCase({ tq: 3, tk: 50, nq: 4, nkv: 4, dh: 80, anchorRows: 0, offset: 50 }, "unmasked") },
    { name: "attention", run: attentionCase({ tq: 4, tk: 0, ...gqa, dh: 64, anchorRows: 0, offset: 0 }, "no-keys") },
    { name: "attention", run: attentionCase({ tq: 130, tk: 200, nq: 4, nkv: 1, dh: 32, anchorRows: 33, offset: 70 }, "apb-odd") },
    { name: "lseMerge", run: lseMergeCase },
    { name: "queryScores", run: queryScoresCase },
    { name: "gatherHeads", run: gatherCase },
    { name: "topk", run: topkCase(1000, 100, 128) },
    { name: "topk", run: topkCase(64, 64, 16) },
    { name: "maxpool", run: maxpoolCase },
    { name: "argmax", run: argmaxCase },
  ];
}
