#!/usr/bin/env bash
# CI's check that the training code still runs end to end: a few steps of every stage on a
# dozen emoji, export, evaluation, then the exported ONNX files against their golden outputs
# in onnxruntime-web (the same test that checks static/models).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TRAIN_CACHE="$work/cache" MODELS_OUT="$work/models"
"$PYTHON" -W ignore -m training all --smoke
# The 64 px decoder (issue 16) trains from the exported files, like the student.
"$PYTHON" -W ignore -m training decoder64 --smoke
MODELS_DIR="$MODELS_OUT" npx vitest run tests/unit/model-files.test.ts
