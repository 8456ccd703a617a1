#!/usr/bin/env bash
# First README command: set up, then serve the app on http://127.0.0.1:7860/ (the shipped articles are
# ingested and indexed on first start). Pass --host/--port to change where it listens.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/python app.py "$@"
