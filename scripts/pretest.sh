#!/usr/bin/env bash
# Runs before `npm test`: makes sure what the tests need is on this machine (Debian's
# Chromium for the end-to-end tests; PyTorch, ONNX, NumPy, Pillow and jsonschema for the
# training smoke run). As root on Debian it installs what is missing; otherwise it stops at
# once and prints the command to run. Nothing is downloaded from anywhere but Debian's own
# archive.
set -euo pipefail

need=()
browser=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$browser" ] || need+=(chromium)
/usr/bin/python3 -c 'import torch, onnx, numpy, PIL, jsonschema' >/dev/null 2>&1 ||
	need+=(python3-torch python3-onnx python3-numpy python3-pil python3-jsonschema libopenblas0-pthread)
[ ${#need[@]} -eq 0 ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends ${need[*]}"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "pretest: installing ${need[*]} from Debian's archive" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
else
	echo "npm test needs packages that are not installed: ${need[*]}" >&2
	echo "Install them (Debian), then run npm test again:" >&2
	echo "  sudo sh -c '$cmd'" >&2
	[ -x "$browser" ] || echo "(or set CHROMIUM_PATH to another Chromium binary)" >&2
	exit 1
fi
