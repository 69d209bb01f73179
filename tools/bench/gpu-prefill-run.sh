#!/usr/bin/env bash
# One GPU session's prefill comparison (issue 6), end to end with a deadline: random Llama-3.1-8B bf16 weights → HF
# reference + PyTorch SDPA prefill timings → our engine (correctness vs HF, full-prefill timings, APB/Star/Ring on
# virtual hosts) → one summary table. Steps that would not finish are skipped; every step leaves its JSON as it goes.
#
# Usage (repository root, after `source .gpu-kit/setup.sh` and the addon build):
#   tools/bench/gpu-prefill-run.sh OUT_DIR DEADLINE_UNIX [WORK_DIR]
# Writes into OUT_DIR (6 files): run.log, torch-reference.json, torch-reference-f32.json, torch-bench.json,
# apb-prefill.json, summary.txt.
# WORK_DIR (default /tmp/apb-prefill) holds the 16 GB checkpoint, the reference's per-step logits and the bench's
# prompt ids and per-length logits (our side runs the same ids and compares its logits at every length).
# Knobs (environment): LENGTHS (8192,32768,65536,131072), STRATEGY_LENGTH (32768), HOSTS (4), NODE_BUDGET (seconds kept
# for the Node steps when the Python bench plans its runs, 170), TINY=1 (tiny shapes, numpy weights: a plumbing run).
set -uo pipefail
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1  # no network there; never let transformers try

out=${1:?usage: gpu-prefill-run.sh OUT_DIR DEADLINE_UNIX [WORK_DIR]}
deadline=${2:?usage: gpu-prefill-run.sh OUT_DIR DEADLINE_UNIX [WORK_DIR]}
work=${3:-/tmp/apb-prefill}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bundle=$root/packages/backend-cuda/build/gpu-prefill.mjs
py=$root/tools/bench/torch_prefill.py
lengths=${LENGTHS:-8192,32768,65536,131072}
strategy_length=${STRATEGY_LENGTH:-32768}
hosts=${HOSTS:-4}
node_budget=${NODE_BUDGET:-170}
model=$work/llama31-8b-random
ref=$work/torch-reference.json
ref_f32=$work/torch-reference-f32.json
tbench=$work/torch-bench.json  # its prompt ids and per-length logits lie beside it (kept out of OUT_DIR)
tiny=()
[[ ${TINY:-0} == 1 ]] && { tiny=(--tiny --impl numpy); model=$work/tiny-random; ref=$work/tiny-reference.json; }
t_start=$(date +%s)

left() { echo $(( deadline - $(date +%s) )); }

# step NAME NEED_S CMD...: runs CMD unless fewer than NEED_S seconds are left; cut at the deadline (minus 10 s for the
# summary). Returns CMD's exit code (124 when cut), 125 when skipped.
step() {
  local name=$1 need=$2 l rc t0
  shift 2
  l=$(left)
  if (( l < need )); then
    echo "== skip $name: $l s left, it needs about $need s"
    return 125
  fi
  t0=$(date +%s)
  echo "== $name: start at +$(( t0 - t_start )) s, $l s left"
  timeout --kill-after=5 $(( l - 10 )) "$@"
  rc=$?
  echo "== $name: exit $rc after $(( $(date +%s) - t0 )) s"
  return $rc
}

run() {
  mkdir -p "$out" "$work"
  echo "gpu-prefill-run: out $out, work $work, deadline in $(left) s, lengths $lengths, strategies at $strategy_length on $hosts hosts"
  command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,memory.used,memory.total,driver_version --format=csv,noheader
  df -h "$work" | tail -1
  echo "$(python3 --version), node $(node --version); APB_CUDNN_PATH=${APB_CUDNN_PATH:-unset}"

  if [[ -e $model/.complete ]]; then
    echo "== weights: $model already written"
  else
    rm -rf "$model"
    step "write weights" 45 python3 "$py" "${tiny[@]}" --write-weights "$model" && touch "$model/.complete"
  fi
  if [[ ! -e $model/.complete ]]; then
    echo "== no checkpoint: nothing else can run"
  else
    # Reference and bench in one process (transformers loads the 16 GB once); the bench plans its lengths so that
    # NODE_BUDGET seconds remain for our side.
    local torch_args=(--reference "$model" --reference-out "$ref")
    [[ ${TINY:-0} == 1 ]] || torch_args+=(--reference-f32-out "$ref_f32" --bench "$model" --bench-out "$tbench" --lengths "$lengths" --deadline $(( deadline - node_budget )))
    step "torch reference + SDPA bench" 60 python3 "$py" "${tiny[@]}" "${torch_args[@]}"
    [[ -e $ref ]] && cp "$ref" "$out/torch-reference.json"
    [[ -e $ref_f32 ]] && cp "$ref_f32" "$out/torch-reference-f32.json"
    [[ -e $tbench ]] && cp "$tbench" "$out/torch-bench.json"

    local node_args=(--model "$model" --json "$out/apb-prefill.json" --torch-bench "$tbench" --deadline "$deadline"
      --reserve 15 --lengths "$lengths" --strategy-length "$strategy_length" --hosts "$hosts")
    [[ -e $ref ]] && node_args+=(--reference "$ref")
    [[ -e $ref_f32 ]] && node_args+=(--reference-f32 "$ref_f32")
    [[ ${TINY:-0} == 1 ]] && node_args+=(--backend "${TINY_BACKEND:-cuda}")
    # Correctness (full vs HF, APB exact / Ring tokens), full-prefill timings, then APB/Star/Ring: one process, so the
    # checkpoint is read once; it rewrites apb-prefill.json after every row and plans its runs against the deadline.
    step "ours: correctness, full prefill, strategies" 40 node "$bundle" "${node_args[@]}"
  fi

  echo
  echo "== summary (+$(( $(date +%s) - t_start )) s)"
  if [[ -e $bundle ]]; then
    node "$bundle" --summarize --json "$out/apb-prefill.json" --torch-bench "$tbench" | tee "$out/summary.txt"
  else
    echo "no bundle at $bundle" | tee "$out/summary.txt"
  fi
}

mkdir -p "$out"
run 2>&1 | tee "$out/run.log"
