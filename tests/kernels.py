"""Kernels for the tests: one a Jupyter server started for a notebook (as Lab does), and
the configuration plus standalone reconciler that kernels and scripts share.

The server sets ``JPY_SESSION_NAME`` for such kernels; this is how the lineage test gets
a kernel that knows its notebook, through the server's own REST and websocket APIs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp

from tests import servers


def _message(code: str, session: str) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "username": "test",
            "session": session, "version": "5.3", "date": "",
        },
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }  # fmt: skip


async def run_in_notebook_kernel(
    url: str, token: str, path: str, code: str, within: float = 300
) -> str:
    """Start a session for ``path`` (a notebook), run ``code``, return its stdout; an
    error in the code raises AssertionError with the kernel's traceback."""
    headers = {"Authorization": f"token {token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        body = {"path": path, "name": path.rsplit("/", 1)[-1], "type": "notebook",
                "kernel": {"name": "python3"}}  # fmt: skip
        async with http.post(f"{url}/api/sessions", json=body) as r:
            assert r.status == 201, await r.text()
            session = await r.json()
        kernel = session["kernel"]["id"]
        try:
            ws_url = url.replace("http", "ws", 1) + f"/api/kernels/{kernel}/channels"
            async with http.ws_connect(ws_url, max_msg_size=0) as ws:
                request = _message(code, uuid.uuid4().hex)
                await ws.send_json(request)
                async with asyncio.timeout(within):
                    return await _collect(ws, request)
        finally:
            async with http.delete(f"{url}/api/sessions/{session['id']}"):
                pass


async def _collect(ws: Any, request: dict[str, Any]) -> str:
    out: list[str] = []
    error: str | None = None
    msg_id = request["header"]["msg_id"]
    async for frame in ws:
        if frame.type != aiohttp.WSMsgType.TEXT:
            continue
        msg = frame.json()
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream" and content.get("name") == "stdout":
            out.append(content["text"])
        elif kind == "error":
            error = "\n".join(content.get("traceback", ())) or content.get("evalue", "")
        elif kind == "status" and content.get("execution_state") == "idle":
            break
    if error is not None:
        raise AssertionError(f"the kernel raised:\n{error}")
    return "".join(out)


@contextlib.contextmanager
def standalone_reconciler(
    tmp_path: Path, groups: dict[str, Any], **settings: Any
) -> Iterator[Path]:
    """A Jupyter config dir (groups, a store in ``tmp_path/state``) for kernels and scripts,
    served by ``jupyter primehub-models reconcile``; everything it started dies after."""
    state = tmp_path / "state"
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    primehub = {"groups": groups, "default_group": "team", "state_dir": str(state), **settings}
    config = {"PrimeHubModels": primehub, "LocalBackend": {"state_dir": str(state)}}
    (config_dir / "jupyter_server_config.json").write_text(json.dumps(config))
    env = servers.child_env(JUPYTER_CONFIG_DIR=str(config_dir))
    with (tmp_path / "reconcile.log").open("wb") as log:
        reconciler = subprocess.Popen(
            [str(servers.BIN / "jupyter-primehub-models"), "reconcile"],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
        try:
            yield config_dir
            assert reconciler.poll() is None, "the reconciler died"
        finally:
            servers.stop(reconciler)
            servers.kill_recorded_processes(state)
