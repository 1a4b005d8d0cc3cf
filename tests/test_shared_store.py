"""Two real Jupyter servers sharing one PostgreSQL store: what one makes the other lists,
shows in Deployed By, scores and stops; concurrent PATCHes make exactly one 409; and when
the lease holder is killed (-9) the other takes over within the TTL while a request loop
scores through it, with 0 failed requests and no second serving process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from tests import servers
from tests.conftest import groups_config
from tests.deploying import ROWS, RequestLoop, alive, score, until, wait_for
from tests.remote_api import RemoteApi
from tests.seed_registry import IRIS

pytestmark = pytest.mark.timeout(900)
TTL = 6.0
TOKEN = "shared-store-token"


@dataclass
class Member:
    proc: subprocess.Popen[bytes]
    api: RemoteApi


def _recorded(url: str) -> dict[str, list[int]]:
    """deployment id → the pids its record names (straight from the database)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, runtime FROM deployments")).all()
    finally:
        engine.dispose()
    return {i: [r["pid"] for r in json.loads(rt).get("replicas", ())] for i, rt in rows}


def _lease_holder(url: str) -> str | None:
    """Who holds the lease (None: nobody, or the store is not made yet)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT holder FROM lease")).scalar_one()
    except ProgrammingError:  # the first server has not made the store yet
        return None
    finally:
        engine.dispose()


def _serving(deployment_id: str) -> list[int]:
    """Every process on this host serving ``deployment_id`` (by its socket's path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                ours = f"--deployment {deployment_id} " in cmdline
                if "backends.local.serve" in cmdline and ours:
                    found.append(int(entry.name))
    return found


@pytest.fixture
def team(
    tmp_path: Path, mlflow_uri: str, seeded: Any, down_uri: str, postgres_url: str
) -> Iterator[tuple[Member, Member, str]]:
    """Servers ``a`` (the lease holder) and ``b``, on one PostgreSQL store."""
    config = {
        "PrimeHubModels": {
            "groups": groups_config(mlflow_uri, down_uri), "default_group": "team",
            "db_url": postgres_url, "lease_ttl": TTL,
        },
        "LocalBackend": {"state_dir": str(tmp_path / "serving"), "health_interval": 1.0},
    }  # fmt: skip
    started: list[Member] = []
    try:
        for name in ("a", "b"):
            url, proc = servers.start_jupyter(tmp_path / name, config, TOKEN)
            started.append(Member(proc, RemoteApi(url, TOKEN)))
            if name == "a":  # a leads: b starts once a holds the lease
                deadline = time.monotonic() + 30
                while f":{proc.pid}:" not in (_lease_holder(postgres_url) or ""):
                    assert time.monotonic() < deadline, "a never took the lease"
                    time.sleep(0.2)  # (polling another process's state: no event to wait on)
        yield started[0], started[1], postgres_url
    finally:
        for member in started:
            servers.stop(member.proc)
        servers.kill_recorded_processes(tmp_path, postgres_url)


async def _holds(url: str, marker: str) -> bool:
    holder = await asyncio.to_thread(_lease_holder, url)
    return bool(holder and marker in holder)


async def _create(api: RemoteApi, name: str) -> str:
    made = await api("groups", "team", "deployments", method="POST",
                     body={"name": name, "model_uri": f"models:/{IRIS}/1"})  # fmt: skip
    assert made.status == 201, made.text
    return str(made.body["id"])


async def test_what_one_server_makes_the_other_lists_scores_and_stops(
    team: tuple[Member, Member, str],
) -> None:
    a, b, url = team
    deployment_id = await _create(a.api, "shared")
    # b reads the same store: no copy to wait for
    listed = await b.api("groups", "team", "deployments")
    assert [d["id"] for d in listed.body["deployments"]] == [deployment_id]
    versions = await b.api("groups", "team", "models", IRIS, "versions")
    by_version = {v["version"]: v for v in versions.body["versions"]}
    assert [d["id"] for d in by_version["1"]["deployed_by"]] == [deployment_id]

    serving = await wait_for(b.api, "team", deployment_id, lambda d: d["phase"] == "Deployed")
    scored = await score(b.api, deployment_id)
    assert scored.status == 200, scored.text
    assert len(scored.body["predictions"]) == len(ROWS["data"])
    assert _serving(deployment_id) == _recorded(url)[deployment_id]  # run by a, once

    # the same stale revision from both servers at once: exactly one wins
    revision = serving["revision"]
    results = await asyncio.gather(*(
        m.api("groups", "team", "deployments", deployment_id, method="PATCH",
              body={"description": f"from {n}", "revision": revision})
        for n, m in (("a", a), ("b", b))
    ))  # fmt: skip
    assert sorted(r.status for r in results) == [200, 409], [r.text for r in results]

    pids = _recorded(url)[deployment_id]
    stopped = await b.api("groups", "team", "deployments", deployment_id, "stop", method="POST")
    assert stopped.status == 200, stopped.text
    await wait_for(a.api, "team", deployment_id, lambda d: d["phase"] == "Stopped")
    await until(lambda: _none_alive(pids), 30, "the serving process ending")


async def _none_alive(pids: list[int]) -> bool:
    return not any(alive(p) for p in pids)


async def test_when_the_lease_holder_dies_the_other_takes_over_without_a_failed_request(
    team: tuple[Member, Member, str],
) -> None:
    a, b, url = team
    deployment_id = await _create(a.api, "survivor")
    await wait_for(b.api, "team", deployment_id, lambda d: d["phase"] == "Deployed")
    before = _recorded(url)[deployment_id]
    async with RequestLoop(b.api, deployment_id) as requests:
        await requests.more(20)
        os.kill(a.proc.pid, signal.SIGKILL)  # a's serving processes live on, in their sessions
        a.proc.wait(timeout=10)
        await until(lambda: _holds(url, f":{b.proc.pid}:"), TTL + 5, "b taking the lease")
        await requests.more(50)  # scored while b adopts, and after
        results = await requests.stop()
    assert set(results) == {200}, [s for s in results if s != 200][:5]
    assert _recorded(url)[deployment_id] == before  # adopted, not restarted
    assert _serving(deployment_id) == before  # and no second serving process
    # b drives the backend now: a stop through b reaches the process
    stopped = await b.api("groups", "team", "deployments", deployment_id, "stop", method="POST")
    assert stopped.status == 200, stopped.text
    await wait_for(b.api, "team", deployment_id, lambda d: d["phase"] == "Stopped")
    await until(lambda: _none_alive(before), 30, "the adopted process ending")
