// Compiles every graph of a model into ORT sessions (per layer: attnIn, retaining heads, attnOut; once: logits and the
// two attention graphs) and releases them together.

import type { BackendInit } from "@apb/core";
import { buildAttentionGraph } from "../attention/index.js";
import type { AttentionSessions } from "../attention/index.js";
import { buildAttnInGraph, buildAttnOutGraph, buildHeadsGraph, buildLogitsGraph } from "../layers/index.js";
import { createSession } from "../session/index.js";
import type { Session, SessionSettings } from "../session/index.js";

/** One decoder layer's sessions. */
export interface LayerSessions {
  readonly attnIn: Session;
  readonly heads: Session | undefined;
  readonly attnOut: Session;
}

/** Every session of one backend. */
export interface ModelSessions {
  readonly layers: readonly LayerSessions[];
  readonly logits: Session;
  readonly attention: AttentionSessions;
}

/**
 * Builds and compiles all graphs, one at a time (each graph's packed weights are garbage once ORT has copied them).
 * On failure, releases whatever was already created and rethrows.
 */
export async function createModelSessions(init: BackendInit, settings: SessionSettings): Promise<ModelSessions> {
  const { config, weights, heads } = init;
  const created: Session[] = [];
  const make = async (build: () => Parameters<typeof createSession>[0], what: string): Promise<Session> => {
    const s = await createSession(build(), { ...settings, what });
    created.push(s);
    return s;
  };
  try {
    const layers: LayerSessions[] = [];
    for (let l = 0; l < config.numLayers; l++) {
      const lw = weights.layers[l]!;
      const hl = heads?.layers[l];
      layers.push({
        attnIn: await make(() => buildAttnInGraph(config, lw, l), `attnIn ${l}`),
        heads: hl === undefined ? undefined : await make(() => buildHeadsGraph(config, hl, l), `heads ${l}`),
        attnOut: await make(() => buildAttnOutGraph(config, lw, l), `attnOut ${l}`),
      });
    }
    const dims = { nq: config.numHeads, nkv: config.numKvHeads, dh: config.headDim };
    const logits = await make(() => buildLogitsGraph(config, weights), "logits");
    const attn = (blocks: boolean, band: boolean): Promise<Session> => make(() => buildAttentionGraph(dims, { blocks, band }), `attention blocks=${blocks} band=${band}`);
    const attention = { plain: await attn(false, false), band: await attn(false, true), blocks: await attn(true, false), blocksBand: await attn(true, true) };
    return { layers, logits, attention };
  } catch (err) {
    await Promise.allSettled(created.map((s) => s.release()));
    throw err;
  }
}

/** Releases every session (errors while releasing are ignored: the process is letting go of them anyway). */
export async function releaseModelSessions(s: ModelSessions): Promise<void> {
  const all = [...s.layers.flatMap((l) => [l.attnIn, l.attnOut, ...(l.heads === undefined ? [] : [l.heads])]), s.logits, ...Object.values(s.attention)];
  await Promise.allSettled(all.map((x) => x.release()));
}
