#!/usr/bin/env bash
# Refreshes the README's pictures (docs/*.png) by running the browser tests, which take
# them on the way; a normal test run writes them to a temporary folder instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export PRIMEHUB_MODELS_SCREENSHOTS="$PWD/docs"
python -m pytest tests/ui "$@"
git status --short docs/
