"""The ray backend, for real: a local Ray head (loopback, small), the Jupyter server as its
driver, the same REST API. Deploy, score like the model itself, swap versions under a
request loop with zero failures, scale 1 → 2 replicas, stop, delete."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
from traitlets.config import Config

from tests import servers
from tests.deploying import model_predictions, score, wait_for
from tests.seed_registry import BROKEN, IRIS

pytest.importorskip("ray.serve", reason="ray[serve] is a test dependency")

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import ray

    with servers.ray_head(tmp_path_factory.mktemp("ray")) as head:
        try:
            yield head
        finally:
            ray.shutdown()  # this process was a driver (the Jupyter server's backend)


@pytest.fixture
def jp_server_config(jp_server_config: Config, ray_head: dict[str, Any]) -> Config:
    jp_server_config.PrimeHubModels.deploy_backend = "ray"
    jp_server_config.RayBackend.address = ray_head["address"]
    jp_server_config.RayBackend.http_port = ray_head["serve_port"]
    jp_server_config.RayBackend.num_cpus = 0.5
    jp_server_config.RayBackend.namespace = "primehub-models-test"
    return jp_server_config


def settled(body: dict[str, Any]) -> bool:
    return body["phase"] == "Deployed" and not body["message"]


async def test_ray_deploy_score_swap_scale_delete(
    api: Any, mlflow_uri: str, seeded: Any, ray_head: dict[str, Any]
) -> None:
    created = await api("groups", "team", "deployments", method="POST",
                        body={"name": "iris on ray", "model_uri": f"models:/{IRIS}/1"})  # fmt: skip
    assert created.status == 201, created.text
    d = created.body
    assert d["backend"] == "ray"
    d = await wait_for(api, "team", d["id"], lambda b: b["phase"] == "Deployed", within=300)
    assert d["endpoint"].endswith(f"/primehub-models/{d['id']}")

    scored = await score(api, d["id"])
    assert scored.status == 200, scored.text
    assert scored.body["predictions"] == model_predictions(mlflow_uri, "1")
    bad = await score(api, d["id"], {"nonsense": 1})
    assert bad.status == 400  # MLflow's own scoring error, as with mlflow models serve

    # version 2 under a steady stream of requests: Serve's rolling update, zero failures
    results: list[int] = []
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            results.append((await score(api, d["id"])).status)

    workers = [asyncio.ensure_future(loop()) for _ in range(4)]
    patched = await api("groups", "team", "deployments", d["id"], method="PATCH",
                        body={"model_uri": f"models:/{IRIS}/2"})  # fmt: skip
    assert patched.status == 200, patched.text
    await asyncio.sleep(2)
    d = await wait_for(api, "team", d["id"], settled, within=300)
    await asyncio.sleep(1)
    stop.set()
    await asyncio.gather(*workers)
    assert len(results) > 20
    assert set(results) == {200}, f"{results.count(200)}/{len(results)} succeeded"
    assert (await score(api, d["id"])).body["predictions"] == model_predictions(mlflow_uri, "2")

    # scale 1 → 2 replicas: both serve
    scaled = await api("groups", "team", "deployments", d["id"], method="PATCH",
                       body={"replicas": 2})  # fmt: skip
    assert scaled.status == 200
    for _ in range(240):  # Serve starts the second replica
        if await _replicas(d["id"]) == 2:
            break
        await asyncio.sleep(0.5)
    assert await _replicas(d["id"]) == 2
    d = await wait_for(api, "team", d["id"], settled, within=300)
    logs = await api("groups", "team", "deployments", d["id"], "logs", params={"tail": 200})
    assert logs.status == 200

    stopped = await api("groups", "team", "deployments", d["id"], "stop", method="POST")
    assert stopped.status == 200
    d = await wait_for(api, "team", d["id"], lambda b: b["phase"] == "Stopped", within=120)
    assert (await score(api, d["id"])).status == 409
    gone = await api("groups", "team", "deployments", d["id"], method="DELETE")
    assert gone.status == 202
    for _ in range(120):
        if d["id"] not in await _applications():
            break
        await asyncio.sleep(0.5)
    assert d["id"] not in await _applications()


async def test_a_model_that_cannot_load_fails_with_its_error(api: Any, seeded: Any) -> None:
    body = {"name": "broken on ray", "model_uri": f"models:/{BROKEN}/1"}
    created = await api("groups", "team", "deployments", method="POST", body=body)
    assert created.status == 201
    d = await wait_for(api, "team", created.body["id"], lambda b: b["phase"] == "Failed",
                       within=300)  # fmt: skip
    assert "missing_dependency_for_tests" in d["message"]
    await api("groups", "team", "deployments", d["id"], method="DELETE")


async def _applications() -> dict[str, Any]:
    from jupyter_primehub_models.deployments.backends.ray import _applications as apps

    return await asyncio.to_thread(apps)


async def _replicas(app: str) -> int:
    def count() -> int:
        from ray.serve.context import _get_global_client

        details = _get_global_client().get_serve_details()
        deployment = details["applications"][app]["deployments"]["model"]
        return sum(
            1
            for r in deployment["replicas"]
            if getattr(r["state"], "value", r["state"]) == "RUNNING"
        )

    return await asyncio.to_thread(count)


def test_the_head_is_ours(ray_head: dict[str, Any]) -> None:
    assert ray_head["address"].startswith("127.0.0.1:")
    assert os.environ.get("RAY_ADDRESS") is None  # nothing leaks into other tests


async def test_a_restarted_server_adopts_its_applications_and_drops_orphans(
    ray_head: dict[str, Any], mlflow_uri: str, seeded: Any
) -> None:
    """Two backends in turn, as a Jupyter server before and after a restart: the second
    keeps the application a record wants (still serving) and deletes the one none wants."""
    from jupyter_primehub_models.deployments.backends.ray import RayBackend
    from jupyter_primehub_models.deployments.store import Record

    def record(deployment_id: str) -> Record:
        return Record(
            id=deployment_id, grp="team", name=deployment_id, model_uri=f"models:/{IRIS}/1",
            model_name=IRIS, served_version="1", replicas=1, access="private",
            desired="running", phase="Deploying", backend="ray", created_at=1, updated_at=1,
            revision=1,
        )  # fmt: skip

    settings = {"address": ray_head["address"], "http_port": ray_head["serve_port"],
                "num_cpus": 0.5, "namespace": "primehub-models-test"}  # fmt: skip
    env = {"MLFLOW_TRACKING_URI": mlflow_uri}
    kept, orphan = record("adopt-kept-a1"), record("adopt-orphan-b2")
    before = RayBackend(**settings)
    for _ in range(600):
        for r in (kept, orphan):
            await before.apply(r, env)
        if all(before.status(r).phase == "Deployed" for r in (kept, orphan)):
            break
        await asyncio.sleep(0.5)
    assert before.status(kept).phase == "Deployed", before.status(kept)

    after = RayBackend(**settings)  # the restarted server: it only has the kept record
    await after.adopt([kept])
    await after.apply(kept, env)
    assert after.status(kept).phase == "Deployed"  # serving throughout, not redeployed
    for _ in range(120):
        if orphan.id not in await _applications():
            break
        await asyncio.sleep(0.5)
    apps = await _applications()
    assert orphan.id not in apps and kept.id in apps
    await after.delete(kept)
