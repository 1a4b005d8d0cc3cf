"""Faults of the local backend: crashes, models that cannot start, Jupyter killed with -9."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests import servers
from tests.conftest import groups_config
from tests.deploying import ROWS, alive, open_sockets, pids, score, wait_for
from tests.seed_registry import BROKEN, IRIS

pytestmark = pytest.mark.timeout(600)


async def create(api: Any, **body: Any) -> dict[str, Any]:
    r = await api("groups", "team", "deployments", method="POST", body=body)
    assert r.status == 201, r.text
    return r.body


async def test_crashed_serving_process_is_restarted(api: Any, state_dir: Path) -> None:
    d = await create(api, name="crashy", model_uri=f"models:/{IRIS}/1")
    d = await wait_for(api, "team", d["id"], lambda b: b["phase"] == "Deployed")
    (first,) = pids(d, state_dir)
    os.killpg(first, signal.SIGKILL)

    def replaced(b: dict[str, Any]) -> bool:
        now = pids(b, state_dir)
        return b["phase"] == "Deployed" and bool(now) and first not in now

    d = await wait_for(api, "team", d["id"], replaced)
    assert (await score(api, d["id"])).status == 200


async def test_model_that_dies_at_start_fails_with_its_log_and_spares_others(
    api: Any, seeded: Any, state_dir: Path
) -> None:
    healthy = await create(api, name="healthy", model_uri=f"models:/{IRIS}/1")
    broken = await create(api, name="broken", model_uri=f"models:/{BROKEN}/1")
    broken = await wait_for(api, "team", broken["id"], lambda b: b["phase"] == "Failed")
    assert "missing_dependency_for_tests" in broken["message"]  # the real last log lines
    assert pids(broken, state_dir) == []
    healthy = await wait_for(api, "team", healthy["id"], lambda b: b["phase"] == "Deployed")
    assert (await score(api, healthy["id"])).status == 200
    logs = await api("groups", "team", "deployments", broken["id"], "logs")
    assert any("missing_dependency_for_tests" in line for line in logs.body["lines"])


async def test_public_replicas_round_robin_and_body_limit(
    api: Any, state_dir: Path, http_server_client: Any, jp_base_url: str
) -> None:
    public = await create(
        api, name="public two", model_uri=f"models:/{IRIS}/1", replicas=2, access="public"
    )
    private = await create(api, name="private one", model_uri=f"models:/{IRIS}/1")
    public = await wait_for(api, "team", public["id"], lambda b: b["phase"] == "Deployed")
    replicas = pids(public, state_dir)
    assert len(replicas) == 2
    for _ in range(6):
        assert (await score(api, public["id"])).status == 200
    # round robin: each replica holds a connection the proxy made (beside its listener)
    assert all(open_sockets(pid) >= 2 for pid in replicas), [open_sockets(p) for p in replicas]

    # the upstream is the deployment's own process only: no id or header chooses another
    for hostile in ("..%2F..%2Fapi%2Fstatus", "http:%2F%2F127.0.0.1:1", "%2E%2E"):
        r = await api(raw_path=f"groups/team/deployments/{hostile}/invocations", method="POST",
                      body={"dataframe_split": ROWS})  # fmt: skip
        assert r.status == 404, (hostile, r.status)
    steered = await score(
        api, public["id"],
        headers={"Host": "localhost:1", "X-Forwarded-Host": "example.com",
                 "X-Forwarded-For": "10.0.0.1", "X-Real-IP": "10.0.0.2"},
    )  # fmt: skip
    assert steered.status == 200 and "predictions" in steered.body

    # without any Jupyter credentials: the public deployment's invocations only
    base = f"{jp_base_url.rstrip('/')}/primehub-models/api/groups/team/deployments"
    body = json.dumps({"dataframe_split": ROWS})
    headers = {"Content-Type": "application/json"}
    answer = await http_server_client.fetch(
        f"{base}/{public['id']}/invocations", method="POST", body=body, headers=headers,
        raise_error=False,
    )  # fmt: skip
    assert answer.code == 200, answer.body
    for url, method in (
        (f"{base}/{private['id']}/invocations", "POST"),
        (f"{base}/{public['id']}", "GET"),
        (f"{base}/no-such-one/invocations", "POST"),
    ):
        denied = await http_server_client.fetch(
            url, method=method, body=body if method == "POST" else None, headers=headers,
            raise_error=False,
        )  # fmt: skip
        assert denied.code == 401, (url, denied.code)
        assert json.loads(denied.body)["error"]["code"] == "UNAUTHORIZED"

    too_big = await score(api, public["id"], {"dataframe_split": ROWS, "pad": "x" * 70_000})
    assert too_big.status == 413 and too_big.body["error"]["code"] == "PAYLOAD_TOO_LARGE"


def http(method: str, url: str, token: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (loopback)
    request.add_header("Authorization", f"token {token}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def wait_phase(url: str, token: str, phase: str, within: float = 240) -> Any:
    deadline = time.monotonic() + within
    while True:
        status, body = http("GET", url, token)
        if status == 200 and body["phase"] == phase:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(body)
        time.sleep(0.5)


async def mark_deleted(state: Path, deployment_id: str) -> None:
    from jupyter_primehub_models.deployments.store import Store

    store = Store(state / "deployments.sqlite")
    await store.update(deployment_id, None, desired="deleted")
    store.close()


def test_jupyter_killed_with_9_loses_no_deployment(
    tmp_path: Path, seeded: Any, mlflow_uri: str, down_uri: str
) -> None:
    state = tmp_path / "state"
    token = "kill9-" + "5" * 40
    config = {
        "ServerApp": {"jpserver_extensions": {"jupyter_primehub_models": True}},
        "PrimeHubModels": {"groups": groups_config(mlflow_uri, down_uri), "state_dir": str(state)},
        "LocalBackend": {"state_dir": str(state)},
    }
    url, first = servers.start_jupyter(tmp_path / "lab", config, token)
    second = None
    try:
        api = f"{url}/primehub-models/api/groups/team/deployments"
        status, made = http(
            "POST", api, token, {"name": "survivor", "model_uri": f"models:/{IRIS}/1"}
        )
        assert status == 201, made
        before = wait_phase(f"{api}/{made['id']}", token, "Deployed")
        serving = pids(before, state)
        assert serving and all(alive(p) for p in serving)

        os.kill(first.pid, signal.SIGKILL)  # the Jupyter server only, not its children
        first.wait(30)
        assert all(alive(p) for p in serving)  # serving outlives the server

        url, second = servers.start_jupyter(tmp_path / "lab", config, token)
        api = f"{url}/primehub-models/api/groups/team/deployments"
        status, listing = http("GET", api, token)
        assert status == 200
        assert [d["id"] for d in listing["deployments"]] == [made["id"]]
        after = wait_phase(f"{api}/{made['id']}", token, "Deployed")
        assert pids(after, state) == serving  # adopted, not restarted
        status, scored = http("POST", f"{api}/{made['id']}/invocations", token,
                              {"dataframe_split": ROWS})  # fmt: skip
        assert status == 200 and len(scored["predictions"]) == len(ROWS["data"])

        # deleted while no server runs (a kernel did it): the next server cleans up
        os.kill(second.pid, signal.SIGKILL)
        second.wait(30)
        asyncio.run(mark_deleted(state, made["id"]))
        url, third = servers.start_jupyter(tmp_path / "lab", config, token)
        second = third
        deadline = time.monotonic() + 60
        while any(alive(p) for p in serving) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(p) for p in serving)
        status, listing = http("GET", f"{url}/primehub-models/api/groups/team/deployments", token)
        assert status == 200 and listing["deployments"] == []
    finally:
        for proc in (first, second):
            if proc is not None:
                servers.stop(proc)
        servers.kill_recorded_processes(state)


async def test_kernel_written_deployment_is_picked_up(api: Any, state_dir: Path) -> None:
    """Another process (a kernel) writes the store; the server's reconciler serves it."""
    await api("groups", "team", "deployments")  # the server's reconciler is running
    code = f"""
import asyncio, json, sys
from traitlets.config import Config
from jupyter_primehub_models.config import PrimeHubModels
from jupyter_primehub_models.services import build_services
settings = PrimeHubModels(config=Config(json.loads(sys.argv[1])))
async def main():
    services = build_services(settings)
    body = {{"name": "from a kernel", "model_uri": "models:/{IRIS}/1"}}
    d = await services.deployments.create("team", body)
    print(d.id)
    await services.registry.clients.aclose()
asyncio.run(main())
"""
    config = {
        "PrimeHubModels": {
            "groups": {
                "team": {
                    "tracking_uri": (await api("groups")).body["groups"][0]["mlflow"]["ui_url"]
                }
            },
            "state_dir": str(state_dir),
        }
    }
    proc = await asyncio.create_subprocess_exec(
        servers.sys.executable, "-c", code, json.dumps(config),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()[-2000:]
    deployment_id = out.decode().split()[-1]
    d = await wait_for(api, "team", deployment_id, lambda b: b["phase"] == "Deployed")
    assert d["name"] == "from a kernel"


async def test_start_follows_the_alias_anew(api: Any, mlflow_uri: str) -> None:
    import aiohttp

    async def set_alias(version: str) -> None:
        url = f"{mlflow_uri}/api/2.0/mlflow/registered-models/alias"
        body = {"name": IRIS, "alias": "champion", "version": version}
        async with aiohttp.ClientSession() as session, session.post(url, json=body) as r:
            assert r.status == 200

    d = await create(api, name="follower", model_uri=f"models:/{IRIS}@champion")
    assert d["served_version"] == "2"
    await api("groups", "team", "deployments", d["id"], "stop", method="POST")
    try:
        await set_alias("3")
        started = await api("groups", "team", "deployments", d["id"], "start", method="POST")
        assert started.status == 200
        assert started.body["served_version"] == "3"
        assert [(h["action"], h["version"]) for h in started.body["history"]] == [
            ("create", "2"), ("stop", "2"), ("start", "3")
        ]  # fmt: skip
        versions = (await api("groups", "team", "models", IRIS, "versions")).body["versions"]
        assert [v["version"] for v in versions if v["deployed_by"]] == ["3"]
    finally:
        await set_alias("2")
        await api("groups", "team", "deployments", d["id"], method="DELETE")


async def test_failed_update_keeps_the_old_version_serving(
    api: Any, seeded: Any, state_dir: Path
) -> None:
    d = await create(api, name="steady", model_uri=f"models:/{IRIS}/1")
    d = await wait_for(api, "team", d["id"], lambda b: b["phase"] == "Deployed")
    serving = pids(d, state_dir)
    r = await api("groups", "team", "deployments", d["id"], method="PATCH",
                  body={"model_uri": f"models:/{BROKEN}/1"})  # fmt: skip
    assert r.status == 200

    def recorded_failure(b: dict[str, Any]) -> bool:
        return bool(b["history"]) and b["history"][-1].get("status") == "failed"

    d = await wait_for(api, "team", d["id"], recorded_failure)
    assert d["phase"] == "Deployed"
    assert "failed" in d["message"] and f"models:/{IRIS}/1" in d["message"]
    assert d["history"][-1]["model_uri"] == f"models:/{BROKEN}/1"
    assert pids(d, state_dir) == serving  # the old processes were never stopped
    scored = await score(api, d["id"])
    assert scored.status == 200 and len(scored.body["predictions"]) == len(ROWS["data"])
