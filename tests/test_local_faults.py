"""Faults of the local backend: a recycled pid is never signalled, any failure to start
becomes Failed (stop and delete still work), and a squatter on the ports cannot take a
deployment's traffic."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from jupyter_primehub_models.deployments.backends.local import LocalBackend
from jupyter_primehub_models.deployments.record import Record
from tests import servers
from tests.deploying import alive, model_predictions, pids, score, until, wait_for
from tests.seed_registry import IRIS

pytestmark = pytest.mark.timeout(600)


def record(runtime: dict[str, Any], desired: str = "running") -> Record:
    return Record(
        id="recycled-a1b2c3", grp="team", name="recycled", model_uri=f"models:/{IRIS}/1",
        model_name=IRIS, served_version="1", replicas=1, access="private", desired=desired,
        phase="Deployed", backend="local", created_at=1, updated_at=1, revision=1,
        runtime=runtime,
    )  # fmt: skip


@contextlib.contextmanager
def unrelated(*argv: str) -> Iterator[subprocess.Popen[bytes]]:
    """Someone else's process, whose command line looks like ours."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)", *argv], start_new_session=True
    )
    try:
        yield proc
    finally:
        servers.stop(proc)


@pytest.mark.parametrize("desired", ["running", "deleted"])
async def test_a_recycled_pid_is_never_signalled(tmp_path: Path, desired: str) -> None:
    """The store names pids from an earlier life; one now belongs to an unrelated process
    with "mlflow", "uvicorn" and the port in its command line. Adoption and delete leave
    it alone: it is not the process we started (start time, command line)."""
    with (
        unrelated("mlflow", "uvicorn", "--port", "20123", "-p", "20123") as legacy,
        unrelated("--socket", str(tmp_path / "s.sock"), "--model-uri", f"models:/{IRIS}/1",
                  "jupyter_primehub_models") as current,
    ):  # fmt: skip
        runtime = {"replicas": [
            {"pid": legacy.pid, "port": 20123, "model_uri": f"models:/{IRIS}/1"},
            {"pid": current.pid, "socket": str(tmp_path / "s.sock"),
             "model_uri": f"models:/{IRIS}/1", "started": 1},
        ]}  # fmt: skip
        backend = LocalBackend(state_dir=str(tmp_path))
        rec = record(runtime, desired)
        await backend.adopt([rec])
        if desired == "deleted":
            await backend.delete(rec)
        await backend.close()
        assert alive(legacy.pid) and alive(current.pid)


@pytest.fixture(params=["missing-python", "log-folder-is-a-file"])
def fault(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def jp_server_config(jp_server_config: Config, fault: str, tmp_path: Path) -> Config:
    if fault == "missing-python":
        jp_server_config.LocalBackend.serving_python = "/nonexistent/bin/python3"
    elif fault == "log-folder-is-a-file":
        broken = tmp_path / "broken-state"
        broken.mkdir()
        (broken / "logs").write_text("a file where the logs folder should be")
        jp_server_config.LocalBackend.state_dir = str(broken)
    return jp_server_config


async def test_a_failure_to_start_is_failed_and_stop_and_delete_still_work(
    api: Any, fault: str
) -> None:
    made = await api(
        "groups",
        "team",
        "deployments",
        method="POST",
        body={"name": f"fault {fault}", "model_uri": f"models:/{IRIS}/1"},
    )
    assert made.status == 201, made.text
    d = await wait_for(api, "team", made.body["id"], lambda b: b["phase"] == "Failed")
    reason = {"missing-python": "/nonexistent/bin/python3", "log-folder-is-a-file": "logs"}
    assert reason[fault] in d["message"], d["message"]
    stopped = await api("groups", "team", "deployments", d["id"], "stop", method="POST")
    assert stopped.status == 200, stopped.text
    await wait_for(api, "team", d["id"], lambda b: b["phase"] == "Stopped", within=60)
    gone = await api("groups", "team", "deployments", d["id"], method="DELETE")
    assert gone.status == 202

    async def removed() -> bool:
        return (await api("groups", "team", "deployments", d["id"])).status == 404

    await until(removed, 60, "the deletion")


class _Squatter(http.server.BaseHTTPRequestHandler):
    """Answers /ping and every scoring request, as a model server would."""

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self) -> None:
        body = json.dumps({"predictions": ["squatter"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer


@pytest.fixture
def squatter() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Squatter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class TestSquatter:
    """Another process holds the whole port range and answers /ping: the deployment still
    goes Deployed on its own socket, and scoring reaches its own model."""

    @pytest.fixture
    def fault(self) -> str:
        return "none"

    @pytest.fixture
    def jp_server_config(self, jp_server_config: Config, squatter: int) -> Config:
        jp_server_config.LocalBackend.port_range = (squatter, squatter)
        return jp_server_config

    async def test_scoring_reaches_our_own_child(
        self, api: Any, state_dir: Path, mlflow_uri: str
    ) -> None:
        made = await api(
            "groups",
            "team",
            "deployments",
            method="POST",
            body={"name": "no squatting", "model_uri": f"models:/{IRIS}/1"},
        )
        assert made.status == 201, made.text
        d = await wait_for(api, "team", made.body["id"], lambda b: b["phase"] == "Deployed")
        try:
            scored = await score(api, d["id"])
            assert scored.body["predictions"] == model_predictions(mlflow_uri, "1")
            # the listening socket is our child's: its path's inode is among its fds
            (pid,) = pids(d, state_dir)
            path = d["endpoint"].removeprefix("unix:")
            inode = next(
                line.split()[6]
                for line in Path("/proc/net/unix").read_text().splitlines()[1:]
                if line.split()[-1] == path
            )
            fds = {os.readlink(f) for f in Path(f"/proc/{pid}/fd").iterdir()}
            assert f"socket:[{inode}]" in fds
        finally:
            await api("groups", "team", "deployments", d["id"], method="DELETE")
