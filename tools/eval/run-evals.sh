#!/usr/bin/env bash
# Runs a list of `apb eval` jobs in parallel on a many-core machine (the GPU machine's 16 CPU cores) and gathers
# their JSON rows, one line per job: {"args": "...", "rows": [...]}.
# Usage: tools/eval/run-evals.sh JOBS_FILE PARALLEL OUT_JSONL [DEADLINE_UNIX]
#   JOBS_FILE: one line of `apb eval` arguments per job (without --json); blank lines and # comments are skipped.
#   DEADLINE_UNIX: jobs not started by then are skipped and listed in OUT_JSONL.skipped; running ones are cut.
set -uo pipefail
jobs_file=$1 par=$2 out=$3 deadline=${4:-0}
work=$(mktemp -d)
export work deadline
run_one() {
  local line=$1 id
  id=$(printf '%s' "$line" | md5sum | cut -c1-12)
  local now left
  now=$(date +%s)
  if (( deadline > 0 )); then
    left=$(( deadline - now ))
    if (( left < 20 )); then echo "$line" >> "$work/skipped"; return 0; fi
  else
    left=86400
  fi
  # shellcheck disable=SC2086
  if timeout "$left" node packages/cli/dist/bin.js eval $line --json > "$work/$id.json" 2> "$work/$id.err"; then
    printf '%s\n' "$line" > "$work/$id.args"
  else
    echo "$line (rc $?)" >> "$work/skipped"
    tail -3 "$work/$id.err" >&2
    rm -f "$work/$id.json"
  fi
}
export -f run_one
grep -v '^\s*\(#\|$\)' "$jobs_file" | xargs -P "$par" -I{} -d '\n' bash -c 'run_one "$1"' _ {}
: > "$out"
for f in "$work"/*.json; do
  [[ -e $f ]] || continue
  node -e 'const fs=require("fs");const [j,a]=process.argv.slice(1);process.stdout.write(JSON.stringify({args:fs.readFileSync(a,"utf8").trim(),rows:JSON.parse(fs.readFileSync(j,"utf8"))})+"\n")' "$f" "${f%.json}.args" >> "$out"
done
[[ -e $work/skipped ]] && cp "$work/skipped" "$out.skipped"
echo "run-evals: $(wc -l < "$out") jobs done, $( [[ -e $work/skipped ]] && wc -l < "$work/skipped" || echo 0) skipped"
