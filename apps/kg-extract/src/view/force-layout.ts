// A deterministic force layout (Fruchterman-Reingold with gravity), computed at export time so the HTML view draws
// fixed positions with no layout code of its own to go wrong, and the same database always gives the same picture.

import { Prng } from "@apb/core";

export interface LayoutOptions {
  readonly width: number;
  readonly height: number;
  readonly seed?: number;
  /** Iterations at most (fewer for large graphs: each is O(n²)). */
  readonly maxIterations?: number;
}

interface Point {
  x: number;
  y: number;
}

/** Repulsion pairs per layout at most: iterations shrink as n² grows, keeping a 2,000-node graph to seconds. */
const WORK_BUDGET = 40_000_000;
/** Pull toward the centre (per unit of distance), so components without edges between them stay together. */
const GRAVITY = 0.3;
/** Fraction of the canvas kept free at each border (labels run to the right of their node). */
const MARGIN = 0.04;

function step(pos: Point[], edges: readonly (readonly [number, number])[], k: number, temperature: number): void {
  const disp = pos.map(() => ({ x: 0, y: 0 }));
  for (let i = 0; i < pos.length; i++) {
    for (let j = i + 1; j < pos.length; j++) {
      const dx = pos[i]!.x - pos[j]!.x;
      const dy = pos[i]!.y - pos[j]!.y;
      const f = (k * k) / Math.max(dx * dx + dy * dy, 0.01);
      disp[i]!.x += dx * f;
      disp[i]!.y += dy * f;
      disp[j]!.x -= dx * f;
      disp[j]!.y -= dy * f;
    }
  }
  for (const [a, b] of edges) {
    const dx = pos[a]!.x - pos[b]!.x;
    const dy = pos[a]!.y - pos[b]!.y;
    const f = Math.sqrt(dx * dx + dy * dy) / k;
    disp[a]!.x -= dx * f;
    disp[a]!.y -= dy * f;
    disp[b]!.x += dx * f;
    disp[b]!.y += dy * f;
  }
  pos.forEach((p, i) => {
    const d = disp[i]!;
    d.x -= p.x * GRAVITY * k;
    d.y -= p.y * GRAVITY * k;
    const len = Math.max(Math.sqrt(d.x * d.x + d.y * d.y), 1e-9);
    p.x += (d.x / len) * Math.min(len, temperature);
    p.y += (d.y / len) * Math.min(len, temperature);
  });
}

/** Scales the layout's bounding box into the canvas (keeping its aspect ratio), centred. */
function fit(pos: Point[], w: number, h: number): Point[] {
  const xs = pos.map((p) => p.x);
  const ys = pos.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = Math.min((w * (1 - 2 * MARGIN)) / Math.max(x1 - x0, 1e-9), (h * (1 - 2 * MARGIN)) / Math.max(y1 - y0, 1e-9));
  const ox = (w - (x1 - x0) * scale) / 2;
  const oy = (h - (y1 - y0) * scale) / 2;
  return pos.map((p) => ({ x: ox + (p.x - x0) * scale, y: oy + (p.y - y0) * scale }));
}

/** Positions (inside [0, width] × [0, height]) for nodes 0..n-1 joined by `edges` (index pairs). */
export function forceLayout(numNodes: number, edges: readonly (readonly [number, number])[], o: LayoutOptions): Point[] {
  if (numNodes <= 1) return Array.from({ length: numNodes }, () => ({ x: o.width / 2, y: o.height / 2 }));
  const rng = new Prng(o.seed ?? 1);
  const k = 1;
  const side = Math.sqrt(numNodes) * k;
  const pos = Array.from({ length: numNodes }, () => ({ x: side * (rng.next() - 0.5), y: side * (rng.next() - 0.5) }));
  const iterations = Math.max(10, Math.min(o.maxIterations ?? 300, Math.floor(WORK_BUDGET / (numNodes * numNodes))));
  for (let it = 0; it < iterations; it++) step(pos, edges, k, (side / 4) * (1 - it / iterations) + 0.01);
  return fit(pos, o.width, o.height);
}
