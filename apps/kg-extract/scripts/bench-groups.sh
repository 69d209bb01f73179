#!/usr/bin/env bash
# kg-extract locally and on worker groups, back to back on one generated corpus: (a) the in-process engine (1 host,
# full attention, default threads), (a1) the same with 1 thread, (b) 1 group of 1 host, (b2) the same with 2 threads,
# (c) 2 groups of 1 host each. Groups are real `apb worker` processes, started for their row and stopped after it
# (SIGTERM, exit 0). Needs REDIS_URL; from the repo root, after building kg-extract and the CLI:
#
#   scripts/with-redis.sh apps/kg-extract/scripts/bench-groups.sh
#
# Environment: DOCS (50), LENGTH (1024), SEED (kg-extract), BATCH (16), ROWS ("a a1 b b2 c"), OUT (bench/results),
# TAG (kg-extract-groups-<DOCS>x<LENGTH>). Writes OUT/TAG-<row>.json per row and OUT/TAG.json with every row, the
# ratios to row a and `uptime` before and after; prints a table.
set -euo pipefail
cd "$(dirname "$0")/../../.."
: "${REDIS_URL:?run me under scripts/with-redis.sh, which starts a throwaway Redis and sets REDIS_URL}"
DOCS=${DOCS:-50}
LENGTH=${LENGTH:-1024}
SEED=${SEED:-kg-extract}
BATCH=${BATCH:-16}
ROWS=${ROWS:-a a1 b b2 c}
OUT=${OUT:-bench/results}
TAG=${TAG:-kg-extract-groups-${DOCS}x${LENGTH}}
KG=(node apps/kg-extract/dist/bin.js)
APB=(node packages/cli/dist/bin.js)
MODEL=$(node --input-type=module -e 'import { modelTinyPath } from "@apb/model-tiny"; console.log(modelTinyPath())')
RUN_ID=$(date +%s)-$$
logs=$(mktemp -d)
pids=()

stop_workers() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    wait "$p" || echo "bench-groups: worker $p exited $?" >&2
  done
  pids=()
}
trap 'stop_workers; rm -rf "$logs"' EXIT

# start_groups PREFIX THREADS G... : one `apb worker` (host 0 of 1) per group; returns once each one logged "ready".
start_groups() {
  local prefix=$1 threads=$2 g
  shift 2
  for g in "$@"; do
    "${APB[@]}" worker --redis "$REDIS_URL" --group "$g" --host 0 --hosts 1 --model "$MODEL" --threads "$threads" --prefix "$prefix" \
      2>"$logs/$prefix-$g.log" &
    pids+=("$!")
  done
  for g in "$@"; do
    for _ in $(seq 1 600); do grep -q " ready" "$logs/$prefix-$g.log" && break; sleep 0.1; done
    grep -q " ready" "$logs/$prefix-$g.log" || { echo "bench-groups: worker $g did not start:" >&2; cat "$logs/$prefix-$g.log" >&2; exit 1; }
  done
}

# bench ROW ARGS... : one `kg-extract bench` on the shared corpus (same seed, size and length every row).
bench() {
  local row=$1
  shift
  echo "== row $row: kg-extract bench $* ($(uptime | sed 's/.*load/load/'))"
  "${KG[@]}" bench --docs "$DOCS" --length "$LENGTH" --seed "$SEED" --results "$OUT/$TAG-$row.json" "$@" 2>"$logs/bench-$row.log" \
    || { echo "bench-groups: row $row failed:" >&2; tail -n 20 "$logs/bench-$row.log" >&2; exit 1; }
}

run_row() {
  case $1 in
    a) bench a ;;
    a1) bench a1 --threads 1 ;;
    b) start_groups "kgb-$RUN_ID-b" 1 g1 && bench b --redis "$REDIS_URL" --prefix "kgb-$RUN_ID-b" --batch "$BATCH" && stop_workers ;;
    b2) start_groups "kgb-$RUN_ID-b2" 2 g1 && bench b2 --redis "$REDIS_URL" --prefix "kgb-$RUN_ID-b2" --batch "$BATCH" && stop_workers ;;
    c) start_groups "kgb-$RUN_ID-c" 1 g1 g2 && bench c --redis "$REDIS_URL" --prefix "kgb-$RUN_ID-c" --batch "$BATCH" && stop_workers ;;
    *) echo "bench-groups: unknown row $1 (rows: a a1 b b2 c)" >&2 && exit 2 ;;
  esac
}

mkdir -p "$OUT"
UPTIME_BEFORE=$(uptime)
echo "uptime before: $UPTIME_BEFORE"
for row in $ROWS; do run_row "$row"; done
UPTIME_AFTER=$(uptime)
echo "uptime after: $UPTIME_AFTER"

UPTIME_BEFORE=$UPTIME_BEFORE UPTIME_AFTER=$UPTIME_AFTER node --input-type=module - "$OUT" "$TAG" $ROWS <<'EOF'
import { readFileSync, writeFileSync } from "node:fs";
const [out, tag, ...rows] = process.argv.slice(2);
const what = { a: "local, 1 host, full, default threads", a1: "local, 1 host, full, --threads 1", b: "1 group x 1 host, 1 thread", b2: "1 group x 1 host, --threads 2", c: "2 groups x 1 host, 1 thread each" };
const results = rows.map((row) => ({ row, what: what[row], ...JSON.parse(readFileSync(`${out}/${tag}-${row}.json`, "utf8")) }));
const base = results.find((r) => r.row === "a") ?? results[0];
const digests = new Set(results.map((r) => r.corpusDigest));
const table = results.map((r) => ({ row: r.row, what: r.what, precision: r.score.precision, recall: r.score.recall, docsPerMinute: r.docsPerMinute, ratioToA: r.docsPerMinute / base.docsPerMinute, groups: r.groups, load1: r.loadAverage }));
const summary = { date: new Date().toISOString(), sameCorpus: digests.size === 1, corpusDigest: [...digests][0], uptimeBefore: process.env.UPTIME_BEFORE, uptimeAfter: process.env.UPTIME_AFTER, table, results };
writeFileSync(`${out}/${tag}.json`, JSON.stringify(summary, null, 2) + "\n");
console.log(`same corpus in every row: ${summary.sameCorpus}`);
console.log("| row | setting | precision | recall | docs/min | vs a | documents per group | load 1m before → after |");
console.log("|---|---|---|---|---|---|---|---|");
for (const t of table) {
  const groups = Object.entries(t.groups).map(([g, n]) => `${g} ${n}`).join(", ");
  console.log(`| ${t.row} | ${t.what} | ${t.precision.toFixed(3)} | ${t.recall.toFixed(3)} | ${t.docsPerMinute.toFixed(1)} | ${t.ratioToA.toFixed(2)} | ${groups} | ${t.load1.before.toFixed(2)} → ${t.load1.after.toFixed(2)} |`);
}
EOF
