#!/usr/bin/env bash
# Installs everything, checks style, and runs the whole test suite (extra args go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$PWD/.venv/bin:$PATH"

echo "==> lint"
ruff check .
ruff format --check .
(cd labextension && jlpm lint >/dev/null)

echo "==> tests"
python -m pytest "$@"
