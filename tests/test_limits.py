"""Resource bounds: bodies are refused before they are buffered, caps answer a clear 4xx,
serving logs rotate while the process runs, and one slow public deployment cannot starve
the others of the proxy's connections."""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from traitlets.config import Config
from yarl import URL

from tests.deploying import ROWS, pids, until, wait_for
from tests.seed_registry import IRIS, SLOW

pytestmark = pytest.mark.timeout(600)
LOG_LIMIT = 16 * 1024


@pytest.fixture
def jp_server_config(jp_server_config: Config) -> Config:
    jp_server_config.PrimeHubModels.max_deployments = 2
    jp_server_config.PrimeHubModels.max_replicas = 4
    jp_server_config.PrimeHubModels.max_inflight = 8
    jp_server_config.LocalBackend.log_max_bytes = LOG_LIMIT
    return jp_server_config


@pytest.fixture
def base(http_server_client: Any, jp_http_port: int, jp_base_url: str) -> str:
    """The API's address for clients of our own (``http_server_client`` makes it listen)."""
    return f"http://127.0.0.1:{jp_http_port}{jp_base_url.rstrip('/')}/primehub-models/api"


async def _status_before_the_body_is_sent(
    port: int, path: str, auth: dict[str, str], headers: dict[str, str], chunks: list[bytes]
) -> tuple[str, int]:
    """Send a request's head, then ``chunks`` of its body until the server answers or
    closes; the status line that comes back (or a timeout, if the server waits for the
    rest), and how many chunks went out. (A plain socket, on a thread: a server that
    answers and closes while the body still comes resets the connection, and the answer
    is then only in the socket's buffer, which asyncio's transport drops on the reset.)"""
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
            *(f"{k}: {v}" for k, v in {**auth, **headers}.items())]  # fmt: skip

    def talk() -> tuple[str, int]:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            sent = 0
            with contextlib.suppress(ConnectionError):  # refused: it answers and closes
                for chunk in chunks:
                    if select.select([sock], [], [], 0)[0]:  # the answer (or the close)
                        break
                    sock.sendall(chunk)
                    sent += 1
            with sock.makefile("rb") as answer:
                return answer.readline().decode().strip(), sent

    return await asyncio.to_thread(talk)


@pytest.mark.parametrize("route", ["deployments", "deployments/nowhere-abc123/invocations"])
async def test_a_huge_body_is_refused_before_it_is_read(
    http_server_client: Any,
    jp_http_port: int,
    jp_base_url: str,
    jp_auth_header: dict[str, str],
    route: str,
) -> None:
    token = jp_auth_header
    path = f"{jp_base_url.rstrip('/')}/primehub-models/api/groups/team/{route}"
    declared, _ = await _status_before_the_body_is_sent(
        jp_http_port, path, token, {"Content-Length": str(512 * 1024 * 1024)}, [b"{" * 65536]
    )
    assert declared.startswith("HTTP/1.1 413"), declared
    # no length given: the body streams in chunks, and is cut off at the limit
    chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
    streamed, sent = await _status_before_the_body_is_sent(
        jp_http_port, path, token, {"Transfer-Encoding": "chunked"}, [chunk] * 400
    )
    assert streamed.startswith("HTTP/1.1 413"), streamed
    assert sent < 400  # the server stopped reading: the 26 MB were never all taken in


async def test_caps_and_malformed_input_are_4xx(api: Any) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    r = await api("groups", "team", "deployments", method="POST", data=deep)
    assert r.status == 400 and r.body["error"]["code"] == "INVALID_ARGUMENT", r.text

    r = await api("groups", "team", "deployments", "any-abc123", method="PATCH",
                  body={"description": "x"}, headers={"If-Match": "²"})  # fmt: skip
    assert r.status == 400 and r.body["error"]["code"] == "INVALID_ARGUMENT", r.text

    r = await api(
        "groups",
        "team",
        "deployments",
        method="POST",
        body={"name": "many", "model_uri": f"models:/{IRIS}/1", "replicas": 5},
    )
    assert r.status == 400 and r.body["error"]["field"] == "replicas", r.text
    assert "max_replicas" in r.body["error"]["message"]

    made = []
    try:
        for n in range(2):
            created = await api("groups", "team", "deployments", method="POST", body={
                "name": f"cap {n}", "model_uri": f"models:/{IRIS}/1",
            })  # fmt: skip
            assert created.status == 201, created.text
            made.append(created.body["id"])
        third = await api(
            "groups",
            "team",
            "deployments",
            method="POST",
            body={"name": "cap 2", "model_uri": f"models:/{IRIS}/1"},
        )
        assert third.status == 409 and "max_deployments" in third.body["error"]["message"]
    finally:
        for deployment_id in made:
            await api("groups", "team", "deployments", deployment_id, method="DELETE")


async def test_serving_logs_rotate_while_the_process_runs(
    api: Any, base: str, state_dir: Path
) -> None:
    made = await api("groups", "team", "deployments", method="POST", body={
        "name": "chatty", "model_uri": f"models:/{IRIS}/1", "access": "public",
    })  # fmt: skip
    assert made.status == 201, made.text
    d = await wait_for(api, "team", made.body["id"], lambda b: b["phase"] == "Deployed")
    log = state_dir / "logs" / f"{d['id']}.log"
    try:
        (pid,) = pids(d, state_dir)
        url = f"{base}/groups/team/deployments/{d['id']}/invocations"
        async with aiohttp.ClientSession() as anonymous:

            async def rotated() -> bool:
                for _ in range(50):  # each answer adds an access line to the log
                    async with anonymous.post(
                        URL(url, encoded=True), json={"dataframe_split": ROWS}
                    ) as r:
                        assert r.status == 200
                return log.with_suffix(".log.1").exists() and log.stat().st_size < LOG_LIMIT

            await until(rotated, 120, "the log's rotation")
        assert pids(d, state_dir) == [pid]  # the same process: rotated while it runs
        assert log.with_suffix(".log.1").stat().st_size <= 4 * LOG_LIMIT
    finally:
        await api("groups", "team", "deployments", d["id"], method="DELETE")


async def test_a_slow_deployment_does_not_starve_the_others(api: Any, base: str) -> None:
    ids = {}
    for name, uri, env in (("slow", f"models:/{SLOW}/1", [{"name": "SLOW_SECONDS",
                                                           "value": "120"}]),
                           ("fast", f"models:/{IRIS}/1", [])):  # fmt: skip
        made = await api("groups", "team", "deployments", method="POST", body={
            "name": name, "model_uri": uri, "access": "public", "env": env,
        })  # fmt: skip
        assert made.status == 201, made.text
        ids[name] = made.body["id"]
    try:
        for deployment_id in ids.values():
            await wait_for(api, "team", deployment_id, lambda b: b["phase"] == "Deployed")
        slow_url = f"{base}/groups/team/deployments/{ids['slow']}/invocations"
        fast_url = f"{base}/groups/team/deployments/{ids['fast']}/invocations"
        finished: list[str] = []
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as anonymous:

            async def call(url: str, what: str) -> None:
                async with anonymous.post(
                    URL(url, encoded=True), json={"dataframe_split": ROWS}
                ) as r:
                    await r.read()
                finished.append(what)

            crowd = [asyncio.ensure_future(call(slow_url, "slow")) for _ in range(300)]
            try:
                async with asyncio.timeout(60):
                    await call(fast_url, "fast")
                # the fast deployment answered while the slow one still held everything
                assert finished[0] == "fast", finished[:5]
            finally:
                for task in crowd:
                    task.cancel()
                await asyncio.gather(*crowd, return_exceptions=True)
    finally:
        for deployment_id in ids.values():
            await api("groups", "team", "deployments", deployment_id, method="DELETE")
