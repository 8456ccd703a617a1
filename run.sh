#!/usr/bin/env bash
# First README command: set up, then build the store from the shipped articles and summarise it.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
.venv/bin/kgqa ingest data/articles
.venv/bin/kgqa stats
