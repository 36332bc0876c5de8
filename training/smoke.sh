#!/usr/bin/env bash
# CI's check that the training code still runs end to end: a few steps of every stage that
# ships on a dozen emoji (not experiments/), export, evaluation, then the exported ONNX files
# against their golden outputs in onnxruntime-web (the same test that checks static/models).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
# No import cycles among the training modules (a static read, before anything runs).
"$PYTHON" -m training.check_imports
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TRAIN_CACHE="$work/cache" MODELS_OUT="$work/models"
"$PYTHON" -W ignore -m training all --smoke
# The distributed path: two processes (torchrun, gloo on the CPU) train the U-Net for a second
# from the checkpoints above, under a name of their own; they must end with the same weights
# (devices.check_replicas). Debian's torch 1.13 on Python 3.11 cannot parse torchrun's default
# --redirects/--tee (0), hence 1: the workers' stdout to the console and a log file.
PYTHONWARNINGS=ignore OMP_NUM_THREADS=1 "$PYTHON" -m torch.distributed.run --standalone --nproc_per_node=2 \
	--monitor_interval 1 --redirects 1 --tee 1 --log_dir "$work/torchrun" \
	-m training unet --smoke --device cpu --threads 1 --minutes 0.02 --name unet-ddp
# The samplers' quality table and card section (a handful of images, 1 and 2 steps).
"$PYTHON" -W ignore -m training sampler_quality --smoke
MODELS_DIR="$MODELS_OUT" npx vitest run tests/unit/model-files.test.ts
