#!/usr/bin/env bash
# The demo: local MLflow (SQLite), example models registered by running
# examples/register_models.ipynb, and JupyterLab with the extension bound to that MLflow.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$PWD/.venv/bin:$PATH"
exec python scripts/demo.py "$@"
