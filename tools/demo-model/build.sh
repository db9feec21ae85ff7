#!/usr/bin/env bash
# Regenerates the demo model organism end to end: data -> tokenizer -> training -> ONNX export
# -> checks from Node (transformers.js) -> Assistant Axis (axis.json, axis.md, axis.svg). Maintainer tool; Persona Lens itself only loads models/demo/.
#
#   tools/demo-model/build.sh [--analyze]
#
# Env: SEED (data and training seed, default 1234), STEPS (default 650), THREADS (torch threads,
# default 2; see README.md for determinism), DROPOUT (residual dropout; default: train.py's),
# AVERAGE (model.pt = mean weights of the last N steps, 0 = last step; default: train.py's),
# SKIP_SETUP=1, WORK_DIR, MODEL_DIR.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# WORK_DIR / MODEL_DIR: build elsewhere (e.g. a temp folder) and swap the result in afterwards,
# so models/demo keeps working while a new model trains.
WORK="${WORK_DIR:-$HERE/work}"
MODEL="${MODEL_DIR:-$ROOT/models/demo}"
PY=/usr/bin/python3
SEED="${SEED:-1234}"; STEPS="${STEPS:-650}"; THREADS="${THREADS:-2}"
export OMP_NUM_THREADS="$THREADS"
# glibc malloc: no mmap for large blocks and no trimming, so the attention tensors of the 512-token
# phase reuse heap memory instead of being mapped and page-faulted afresh every step: those steps
# ran at 1.4 k tokens/s without it, 4 k with it. Same weights bit for bit (docs/demo-model.md).
export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=100000000000
# OpenMP threads pinned one per core, so the scheduler does not move them between the 2 cores:
# 1.3-1.6x faster in 4 of 5 side-by-side rounds of 40 steps (even in the fifth). The same threads
# split the same work, so the weights are the same bit for bit (docs/demo-model.md).
export OMP_PROC_BIND=close OMP_PLACES=cores

[ "${SKIP_SETUP:-0}" = 1 ] || bash "$HERE/setup.sh"
mkdir -p "$WORK" "$MODEL/eval"
cd "$HERE"
"$PY" gen_data.py --out "$WORK" --eval "$MODEL/eval" --seed "$SEED"
"$PY" make_tokenizer.py "$WORK" "$MODEL"
node verify_tokenizer.mjs "$MODEL" "$WORK"
# Windows start at a conversation's first token, as a prompt does at inference (random windows cut
# system prompts off, and default replies then drift into role registers; README.md).
"$PY" train.py "$WORK" "$MODEL" --steps "$STEPS" --seed "$SEED" --threads "$THREADS" --windows aligned ${DROPOUT:+--dropout "$DROPOUT"} ${AVERAGE:+--average "$AVERAGE"}
"$PY" export.py "$WORK" "$MODEL"
node verify_model.mjs "$MODEL" "$WORK"
# The Assistant Axis through the project's own pipeline (CLI; sampled replies with a seed per run,
# so deterministic for the weights), fitted on the roles the model was trained on: never-trained roles have no persona here.
ROLES="$(node -e 'process.stdout.write(require(process.argv[1]).trainingRoles.join(","))' "$MODEL/eval/role.json")"
if [ "$(cd "$MODEL" && pwd)" = "$ROOT/models/demo" ]; then AXIS_MODEL=demo; else AXIS_MODEL="$MODEL"; fi
( cd "$ROOT" && node esbuild.mjs >/dev/null && node out/cli.js axis compute --model "$AXIS_MODEL" --out "$MODEL/axis.json" --roles "$ROLES" --force )
if [ "${1:-}" = "--analyze" ]; then "$PY" analyze.py "$WORK" "$MODEL" --threads "$THREADS"; fi
( cd "$MODEL" && sha256sum onnx/model.onnx tokenizer.json eval/*.json ) | tee "$WORK/hashes.txt"
du -sh "$MODEL"
