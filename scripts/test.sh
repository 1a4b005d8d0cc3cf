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
python scripts/api_types.py --check   # the frontend's API types match the OpenAPI document

echo "==> frontend unit tests"
(cd labextension && jlpm test)

echo "==> tests"
# The Ray tests make this process a Ray driver; they run in a pytest process of their own,
# so nothing of Ray's (threads, signal handlers, a CPython 3.11.7 AST-recursion bug it can
# trip) reaches the other tests. Both summaries are printed; either failing fails the run.
ray_tests=tests/test_deployments_ray.py
if [ "$#" -gt 0 ]; then
    python -m pytest "$@"
    exit $?
fi
status=0
python -m pytest --ignore="$ray_tests" || status=$?
python -m pytest "$ray_tests" || status=$?
exit $status
