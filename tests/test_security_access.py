"""Who can reach what: a private deployment's serving process answers only the Jupyter
server's user (a Unix socket in a private folder, no TCP port), state on disk is private,
anonymous callers of a public deployment get no stack trace, answers keep their type."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from yarl import URL

from tests.deploying import ROWS, pids, score, wait_for
from tests.seed_registry import IRIS

pytestmark = pytest.mark.timeout(600)


def tcp_listeners(pid: int) -> list[int]:
    """The TCP ports process ``pid`` listens on (from /proc: its socket inodes)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # LISTEN
                ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_private_deployment_answers_only_through_the_proxy(
    api: Any, state_dir: Path
) -> None:
    made = await api("groups", "team", "deployments", method="POST",
                     body={"name": "private", "model_uri": f"models:/{IRIS}/1"})  # fmt: skip
    assert made.status == 201, made.text
    d = await wait_for(api, "team", made.body["id"], lambda b: b["phase"] == "Deployed")
    try:
        (pid,) = pids(d, state_dir)
        assert tcp_listeners(pid) == []  # nothing on the host can POST to a port of it
        assert d["endpoint"].startswith("unix:")
        sock = Path(d["endpoint"].removeprefix("unix:"))
        assert stat.S_ISSOCK(sock.stat().st_mode)
        assert mode(sock.parent) == 0o700 and sock.parent.stat().st_uid == os.getuid()
        assert (await score(api, d["id"])).status == 200  # the proxy reaches it

        # what the server keeps on disk is its user's alone
        assert mode(state_dir) == 0o700
        assert mode(state_dir / "deployments.sqlite") == 0o600
        for extra in ("deployments.sqlite-wal", "deployments.sqlite-shm"):
            if (state_dir / extra).exists():
                assert mode(state_dir / extra) == 0o600, extra
        assert mode(state_dir / "logs") == 0o700
        assert {mode(p) for p in (state_dir / "logs").iterdir()} == {0o600}
    finally:
        await api("groups", "team", "deployments", d["id"], method="DELETE")


async def test_public_errors_carry_no_stack_trace_and_answers_keep_their_type(
    api: Any, state_dir: Path, jp_http_port: int, jp_base_url: str
) -> None:
    made = await api("groups", "team", "deployments", method="POST", body={
        "name": "public errors", "model_uri": f"models:/{IRIS}/1", "access": "public",
    })  # fmt: skip
    assert made.status == 201, made.text
    d = await wait_for(api, "team", made.body["id"], lambda b: b["phase"] == "Deployed")
    url = (f"http://127.0.0.1:{jp_http_port}{jp_base_url.rstrip('/')}"
           f"/primehub-models/api/groups/team/deployments/{d['id']}/invocations")  # fmt: skip
    try:
        async with aiohttp.ClientSession() as anonymous:  # no token at all
            # a row the model chokes on: MLflow answers its error with the Python trace
            nan = {"dataframe_split": {"columns": ROWS["columns"], "data": [[None] * 4]}}
            async with anonymous.post(URL(url, encoded=True), json=nan) as r:
                assert r.status >= 400
                body = await r.json()
            assert body.get("error_code") and body.get("message"), body
            assert "stack_trace" not in body and "Traceback" not in str(body), body
            async with anonymous.post(
                URL(url, encoded=True), data="<x/>", headers={"Content-Type": "text/xml"}
            ) as r:
                assert r.status == 415  # MLflow's own answer, in its own type
                assert r.headers["Content-Type"].startswith("text/plain"), r.headers
                assert "content types" in await r.text()
            async with anonymous.post(URL(url, encoded=True), json={"dataframe_split": ROWS}) as r:
                assert r.status == 200 and r.headers["Content-Type"].startswith("application/json")
        # the trace is in the deployment's own logs, for its group
        logs = await api("groups", "team", "deployments", d["id"], "logs",
                         params={"tail": 10000})  # fmt: skip
        assert any("Traceback" in line for line in logs.body["lines"]), logs.body["lines"][-20:]
    finally:
        await api("groups", "team", "deployments", d["id"], method="DELETE")
