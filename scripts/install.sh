#!/usr/bin/env bash
# Installs everything the demo and the test suite need; safe to run again.
#   - Debian packages: chromium (browser tests, screenshots) and fonts for CJK/emoji;
#     postgresql (the shared-store tests start a real server in a temp dir)
#   - .venv with the package in development mode and its test dependencies
#   - the JupyterLab extension built from labextension/ and linked into .venv
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}

# PostgreSQL: the shared-store tests start a real server (binaries only; no service runs)
packages=""
command -v chromium >/dev/null 2>&1 || packages="chromium fonts-noto-cjk fonts-noto-color-emoji"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages="$packages postgresql"
if [ -n "$packages" ]; then
  echo "==> installing Debian packages:$packages"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq $packages >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
export PATH="$PWD/.venv/bin:$PATH"
python -m pip install -q --upgrade pip

echo "==> installing jupyter-primehub-models (editable) and test dependencies"
python -m pip install -q -e ".[test]"

echo "==> installing configurable-http-proxy (JupyterHub's proxy, for the team-mode tests)"
if ! command -v configurable-http-proxy >/dev/null 2>&1; then
  npm install -g --silent configurable-http-proxy@5 >/dev/null 2>&1 \
    || npm install -g --silent --prefix "$PWD/.venv" configurable-http-proxy@5 >/dev/null
fi

echo "==> building the JupyterLab extension"
(
  cd labextension
  jlpm install >/dev/null
  jlpm build >/dev/null
)
jupyter labextension develop --overwrite . >/dev/null 2>&1
extensions=$(jupyter server extension list 2>&1)
case "$extensions" in
  *"jupyter_primehub_models 0"*OK*) ;;
  *) echo "the jupyter_primehub_models server extension is not enabled:" >&2
     echo "$extensions" >&2
     exit 1 ;;
esac
echo "==> installed"
