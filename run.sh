#!/usr/bin/env bash
# First README command: set up, build the store and passage index from the shipped articles, answer a sample question.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/kgqa ingest data/articles
.venv/bin/kgqa stats
.venv/bin/kgqa ask "Who is Iran's Defense Minister?"
