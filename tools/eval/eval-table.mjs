#!/usr/bin/env node
// Merges the JSON lines of tools/eval/run-evals.sh into one markdown accuracy table per length (exact match,
// first-answer-token accuracy in brackets) with mean prefill times. Usage: node tools/eval/eval-table.mjs FILE...
import { readFileSync } from "node:fs";

const rows = [];
for (const f of process.argv.slice(2)) {
  for (const line of readFileSync(f, "utf8").split("\n")) if (line.trim()) rows.push(...JSON.parse(line).rows.filter((r) => r.task !== "mean"));
}
const col = (r) => (r.strategy === "apb" ? `apb/${r.selection}` : r.strategy);
const order = ["full", "star", "apb/retaining-heads", "apb/query", "apb/random"];
const tasks = [...new Set(rows.map((r) => r.task))];
const lengths = [...new Set(rows.map((r) => r.length))].sort((a, b) => a - b);
const k = (len) => (len >= 1024 ? `${len / 1024}K` : String(len));
const fmt = (x) => x.toFixed(2);
for (const len of lengths) {
  const cols = order.filter((c) => rows.some((r) => r.length === len && col(r) === c));
  console.log(`\n#### ${k(len)}\n`);
  console.log(`| task | ${cols.join(" | ")} |`);
  console.log(`|---|${cols.map(() => "---").join("|")}|`);
  const sums = Object.fromEntries(cols.map((c) => [c, { ex: 0, first: 0, n: 0, ms: 0, samples: 0 }]));
  for (const t of tasks) {
    const cells = cols.map((c) => {
      const r = rows.find((x) => x.length === len && x.task === t && col(x) === c);
      if (!r) return "–";
      const s = sums[c];
      s.ex += r.exact; s.first += r.first; s.n++; s.ms += r.prefillMs * r.samples; s.samples += r.samples;
      return `${fmt(r.exact)} (${fmt(r.first)})`;
    });
    console.log(`| ${t} | ${cells.join(" | ")} |`);
  }
  console.log(`| **mean** | ${cols.map((c) => `**${fmt(sums[c].ex / sums[c].n)}** (${fmt(sums[c].first / sums[c].n)})`).join(" | ")} |`);
  console.log(`| prefill ms | ${cols.map((c) => (sums[c].ms / sums[c].samples).toFixed(0)).join(" | ")} |`);
  console.log(`| samples per task | ${cols.map((c) => rows.find((x) => x.length === len && col(x) === c).samples).join(" | ")} |`);
  const full = sums.full, apb = sums["apb/retaining-heads"];
  if (full && apb) console.log(`\nAPB (retaining heads) / full, mean exact over the tasks: ${(apb.ex / apb.n / (full.ex / full.n)).toFixed(3)}`);
}
