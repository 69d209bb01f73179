// The HTML view without a browser: one self-contained file (nothing loaded from anywhere), hostile names embedded
// safely, a deterministic layout inside the canvas. test/view.int.test.ts renders it in headless chromium.
import { describe, expect, it } from "vitest";
import type { GraphData } from "../store/index.js";
import { forceLayout } from "./force-layout.js";
import { inlineJson, renderHtml, viewData } from "./render-html.js";

const g: GraphData = {
  nodes: [
    { id: 1, key: "mira lund", name: "Mira Lund", kind: "entity", mentions: [{ doc: "a.txt", start: 0, end: 9, kind: "name" }] },
    { id: 2, key: "</script><script>alert(1)</script>", name: "</script><script>alert(1)</script>", kind: "value", mentions: [] },
    { id: 3, key: "oslo", name: "Oslo", kind: "value", mentions: [] },
  ],
  edges: [
    { id: 1, source: 1, target: 2, relation: "likes", relationKey: "likes", sources: [{ doc: "a.txt", askedEntity: "Mira Lund", subjectStart: 0, objectStart: 20, objectEnd: 30 }] },
    { id: 2, source: 1, target: 3, relation: "lives in", relationKey: "lives in", sources: [{ doc: "b.txt", askedEntity: "Mira Lund", subjectStart: 0, objectStart: 20, objectEnd: 24 }] },
  ],
  documents: [],
};

describe("HTML view", () => {
  it("is one self-contained page: inline style and script, no external resource", () => {
    const html = renderHtml(g, "My <graph>");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<title>My &lt;graph&gt;</title>");
    expect(html).not.toMatch(/<script[^>]+src=|<link|@import|url\(http|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html.match(/<script/g)).toHaveLength(2); // the data and the code
    expect(html.match(/<\/script>/g)).toHaveLength(2); // a name cannot close the data script early
  });

  it("embeds the data so that parsing it back gives the names", () => {
    const html = renderHtml(g);
    const json = /<script id="graph-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!;
    const data = JSON.parse(json) as { nodes: { name: string; x: number; y: number; documents: string[] }[]; edges: { relation: string; documents: string[] }[] };
    expect(data.nodes.map((n) => n.name)).toEqual(g.nodes.map((n) => n.name));
    expect(data.edges.map((e) => [e.relation, e.documents])).toEqual([["likes", ["a.txt"]], ["lives in", ["b.txt"]]]);
    expect(inlineJson({ s: "<&>\u2028" })).toBe('{"s":"\\u003c\\u0026\\u003e\\u2028"}');
  });

  it("lays out deterministically, inside the canvas, pulling linked nodes together", () => {
    const edges: [number, number][] = [[0, 1], [1, 2], [2, 0], [3, 4]];
    const a = forceLayout(6, edges, { width: 1000, height: 600 });
    expect(forceLayout(6, edges, { width: 1000, height: 600 })).toEqual(a);
    for (const p of a) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(1000);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(600);
    }
    const d = (i: number, j: number): number => Math.hypot(a[i]!.x - a[j]!.x, a[i]!.y - a[j]!.y);
    expect(d(3, 4)).toBeLessThan(d(3, 5)); // linked closer than unlinked
    expect(forceLayout(1, [], { width: 10, height: 10 })).toEqual([{ x: 5, y: 5 }]);
    expect(viewData({ ...g, nodes: [], edges: [] })).toMatchObject({ nodes: [], edges: [] });
  });
});
