#!/usr/bin/env bash
# `npm test`: every check the project has. The two static checks run side by side (each keeps
# one core busy); then the unit tests, the end-to-end tests and the training smoke run, each
# using both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run check &
check=$!
npm run lint &
lint=$!
wait "$check"
wait "$lint"
npm run test:unit
npm run test:e2e
npm run test:training
