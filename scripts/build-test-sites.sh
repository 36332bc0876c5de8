#!/usr/bin/env bash
# The two builds the end-to-end tests serve, side by side (each alone leaves a core idle part of
# the time): the site at the root (build/) and under /repo (build-subpath/site/repo), both with
# the test hook (VITE_TEST_HOOKS: the page exposes its generation to the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/copy-ort.js
export VITE_TEST_HOOKS=1
npx vite build &
root=$!
BASE_PATH=/repo BUILD_DIR=build-subpath/site/repo KIT_OUT_DIR=build-subpath/kit npx vite build &
subpath=$!
wait "$root"
wait "$subpath"
