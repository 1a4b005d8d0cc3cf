"""The demo (``scripts/demo.py``) stops everything it started on SIGTERM, after a first run
that executed the example notebook: MLflow, JupyterLab and its deployments' serving
processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests import servers

pytestmark = pytest.mark.timeout(900)
TOKEN = "demo-" + "7" * 40


def call(url: str, method: str = "GET", body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url, data=data, method=method,
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return json.load(answer)


def wait(check: Any, within: float, what: str) -> Any:
    deadline = time.monotonic() + within
    while True:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


def test_sigterm_stops_everything_the_demo_started(repo_root: Path, tmp_path: Path) -> None:
    port = servers.free_port()
    env = servers.child_env(PRIMEHUB_MODELS_DEMO_DIR=str(tmp_path / "demo"), JUPYTER_TOKEN=TOKEN)
    with (tmp_path / "demo.log").open("wb") as out:
        demo = subprocess.Popen(
            [sys.executable, str(repo_root / "scripts" / "demo.py"), f"--port={port}"],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
    started: list[psutil.Process] = []
    try:
        api = f"http://127.0.0.1:{port}/primehub-models/api"
        wait(lambda: call(f"{api}/groups"), 600, "the demo's JupyterLab")
        made = call(
            f"{api}/groups/demo/deployments",
            "POST",
            {"name": "demo flowers", "model_uri": "models:/flower-classifier/1"},
        )
        wait(lambda: call(f"{api}/groups/demo/deployments/{made['id']}")["phase"] == "Deployed",
             300, "the demo's deployment")  # fmt: skip
        started = psutil.Process(demo.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in started)
        assert "mlflow" in names and "jupyter" in names and "serve" in names, names

        os.kill(demo.pid, signal.SIGTERM)
        assert demo.wait(120) == 0
        output = (tmp_path / "demo.log").read_text()
        assert "stopping" in output, output[-2000:]
        left = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        assert left == [], [" ".join(p.cmdline()) for p in left]
    finally:
        servers.stop(demo)
        for p in started:
            if p.is_running():
                p.kill()
