#!/usr/bin/env bash
# Regenerates the demo model organism end to end: data -> tokenizer -> training -> ONNX export
# -> checks from Node (transformers.js). Maintainer tool; Persona Lens itself only loads models/demo/.
#
#   tools/demo-model/build.sh [--analyze]
#
# Env: SEED (data and training seed, default 1234), STEPS (default 1000), THREADS (torch threads,
# default 1: the committed model was trained with 1 thread because 2 OpenMP threads on a 2-core
# machine shared with other jobs ran slower than one; see README.md for determinism), SKIP_SETUP=1.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
WORK="$HERE/work"
MODEL="$ROOT/models/demo"
PY=/usr/bin/python3
SEED="${SEED:-1234}"; STEPS="${STEPS:-1000}"; THREADS="${THREADS:-1}"
export OMP_NUM_THREADS="$THREADS"

[ "${SKIP_SETUP:-0}" = 1 ] || bash "$HERE/setup.sh"
mkdir -p "$WORK" "$MODEL/eval"
cd "$HERE"
"$PY" gen_data.py --out "$WORK" --eval "$MODEL/eval" --seed "$SEED"
"$PY" make_tokenizer.py "$WORK" "$MODEL"
node verify_tokenizer.mjs "$MODEL" "$WORK"
"$PY" train.py "$WORK" "$MODEL" --steps "$STEPS" --seed "$SEED" --threads "$THREADS"
"$PY" export.py "$WORK" "$MODEL"
node verify_model.mjs "$MODEL" "$WORK"
if [ "${1:-}" = "--analyze" ]; then "$PY" analyze.py "$WORK" "$MODEL" --threads "$THREADS"; fi
( cd "$MODEL" && sha256sum onnx/model.onnx tokenizer.json eval/*.json ) | tee "$WORK/hashes.txt"
du -sh "$MODEL"
