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
from tests.deploying import RequestLoop, model_predictions, score, until, wait_for
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
    async with RequestLoop(api, d["id"]) as requests:
        before = await _replica_ids(d["id"])
        patched = await api("groups", "team", "deployments", d["id"], method="PATCH",
                            body={"model_uri": f"models:/{IRIS}/2"})  # fmt: skip
        assert patched.status == 200, patched.text
        # the new version came up beside the old one, took the traffic, and the old one
        # left: one replica runs, a new one, and none of the old ones is left
        seen: list[Any] = []
        await until(lambda: _rolled_out(d["id"], before, 1, seen), 300,
                    lambda: f"the rolling update (Serve said {seen[-1:]})")  # fmt: skip
        d = await wait_for(api, "team", d["id"], settled, within=300)
        await requests.more(20)  # and it goes on serving on the new replica
        results = await requests.stop()
    assert len(results) > 20
    assert set(results) == {200}, f"{results.count(200)}/{len(results)} succeeded"
    assert (await score(api, d["id"])).body["predictions"] == model_predictions(mlflow_uri, "2")

    # scale 1 → 2 replicas: both serve
    scaled = await api("groups", "team", "deployments", d["id"], method="PATCH",
                       body={"replicas": 2})  # fmt: skip
    assert scaled.status == 200
    await until(lambda: _rolled_out(d["id"], set(), 2), 120, "the second replica")
    d = await wait_for(api, "team", d["id"], settled, within=300)
    # the logs are the replicas' own output: each of the two loaded and serves version 2
    logs = await api("groups", "team", "deployments", d["id"], "logs", params={"tail": 200})
    assert logs.status == 200, logs.text
    serving = {
        line.split("]", 1)[0]
        for line in logs.body["lines"]
        if f"[primehub-models] serving models:/{IRIS}/2" in line
    }
    assert len(serving) == 2, logs.body["lines"][-20:]

    stopped = await api("groups", "team", "deployments", d["id"], "stop", method="POST")
    assert stopped.status == 200
    d = await wait_for(api, "team", d["id"], lambda b: b["phase"] == "Stopped", within=120)
    assert (await score(api, d["id"])).status == 409
    gone = await api("groups", "team", "deployments", d["id"], method="DELETE")
    assert gone.status == 202

    async def deleted() -> bool:
        return d["id"] not in await _applications()

    await until(deleted, 60, "the application's removal")


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


def _replicas(app: str) -> list[tuple[str, str]]:
    """(replica id, state) of the application's replicas, as Serve reports them now."""
    from ray.serve.context import _get_global_client

    details = _get_global_client().get_serve_details()
    found = (details.get("applications") or {}).get(app)
    if not found:
        return []
    return [  # the replicas of every version's deployment (not the router's)
        (str(r["replica_id"]), str(getattr(r["state"], "value", r["state"])))
        for name, deployment in found["deployments"].items()
        if name.startswith("model-v")
        for r in deployment["replicas"]
    ]


async def _replica_ids(app: str) -> set[str]:
    return {rid for rid, _ in await asyncio.to_thread(_replicas, app)}


async def _rolled_out(
    app: str, old: set[str], replicas: int, seen: list[Any] | None = None
) -> bool:
    """Serve's rollout of ``app`` is over: exactly ``replicas`` replicas, all running, none
    of them one of ``old`` (the replicas before the update)."""
    now = await asyncio.to_thread(_replicas, app)
    if seen is not None:
        seen.append(now)
    return (
        len(now) == replicas
        and all(state == "RUNNING" for _, state in now)
        and not {rid for rid, _ in now} & old
    )


def test_the_head_is_ours(ray_head: dict[str, Any]) -> None:
    assert ray_head["address"].startswith("127.0.0.1:")
    assert os.environ.get("RAY_ADDRESS") is None  # nothing leaks into other tests


async def test_adoption_keeps_ours_unchanged_drops_our_orphans_and_spares_another_stores(
    ray_head: dict[str, Any], mlflow_uri: str, seeded: Any
) -> None:
    """Two stores share one Ray head. A restarted server (its backend made anew, with only
    the record it still wants) keeps that application running as it is (the same replica
    actors: its spec digest says it is unchanged), deletes its own orphan, and never
    touches the other store's application; the other store's restart spares ours."""
    from jupyter_primehub_models.deployments.backends.ray import RayBackend
    from jupyter_primehub_models.deployments.record import Record

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

    def backend(store_id: str) -> RayBackend:
        made = RayBackend(**settings)
        made.store_id = store_id
        return made

    mine, theirs = "a1a1a1a1a1a1", "b2b2b2b2b2b2"
    kept, orphan, other = record("adopt-kept-a1"), record("adopt-orphan-b2"), record("other-c3")
    before, neighbour = backend(mine), backend(theirs)

    async def all_deployed() -> bool:
        for owner, r in ((before, kept), (before, orphan), (neighbour, other)):
            await owner.apply(r, env)  # as each store's reconciler passes do
        return all(o.status(r).phase == "Deployed"
                   for o, r in ((before, kept), (before, orphan), (neighbour, other)))  # fmt: skip

    await until(all_deployed, 400, "the three applications deployed")
    replicas = {r.id: await _replica_ids(r.id) for r in (kept, other)}

    after = backend(mine)  # our restarted server: it only has the kept record
    await after.adopt([kept])
    await after.apply(kept, env)
    assert after.status(kept).phase == "Deployed"  # serving throughout

    async def orphan_gone() -> bool:
        return orphan.id not in await _applications()

    await until(orphan_gone, 60, "the orphan's removal")
    apps = await _applications()
    assert other.id in apps and apps[other.id]["store"] == theirs  # never ours to delete
    assert await _replica_ids(kept.id) == replicas[kept.id]  # not redeployed: same replicas

    neighbour_after = backend(theirs)  # the other store restarts: ours is not its own
    await neighbour_after.adopt([other])
    await neighbour_after.apply(other, env)
    apps = await _applications()
    assert kept.id in apps and apps[kept.id]["store"] == mine
    assert await _replica_ids(kept.id) == replicas[kept.id]
    assert await _replica_ids(other.id) == replicas[other.id]
    await after.delete(kept)
    await neighbour_after.delete(other)


async def test_a_bug_of_ours_reads_as_failed_not_deploying_forever(
    ray_head: dict[str, Any], mlflow_uri: str, seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Serve's status answer lacks a key our code reads (a KeyError: our bug, not a cluster
    that cannot be asked): the deployment is Failed and says so, the log has the trace."""
    from jupyter_primehub_models.deployments.backends import ray as ray_backend
    from jupyter_primehub_models.deployments.record import Record

    rec = Record(
        id="bug-keyerror-c3", grp="team", name="bug", model_uri=f"models:/{IRIS}/1",
        model_name=IRIS, served_version="1", replicas=1, access="private",
        desired="running", phase="Deploying", backend="ray", created_at=1, updated_at=1,
        revision=1,
    )  # fmt: skip
    backend = ray_backend.RayBackend(
        address=ray_head["address"], http_port=ray_head["serve_port"], num_cpus=0.5,
        namespace="primehub-models-test",
    )  # fmt: skip
    monkeypatch.setattr(ray_backend, "_applications", lambda: {rec.id: {"message": ""}})
    await backend.apply(rec, {"MLFLOW_TRACKING_URI": mlflow_uri})
    seen = backend.status(rec)
    assert seen.phase == "Failed", seen
    assert "Internal error of the ray backend (KeyError)" in seen.message
    monkeypatch.undo()
    await backend.delete(rec)


async def test_ray_split_shift_promote_rollback_and_a_canary_that_cannot_load(
    api: Any, seeded: Any, ray_head: dict[str, Any]
) -> None:
    from tests.test_promotion import own_model, uri, versions_served

    name = await own_model(api, seeded, broken=True)
    traffic = [{"model_uri": uri(name, "1"), "weight": 80},
               {"model_uri": uri(name, "2"), "weight": 20}]  # fmt: skip
    created = await api("groups", "team", "deployments", method="POST",
                        body={"name": "split on ray", "traffic": traffic})  # fmt: skip
    assert created.status == 201, created.text
    d = await wait_for(api, "team", created.body["id"], settled, within=300)
    seen = await versions_served(api, d["id"], 200)
    assert abs(seen["2"] / 200 - 0.2) <= 0.05, seen  # the router's own split
    started = await _replica_ids(d["id"])
    assert len(started) == 2  # one replica per version

    async def serving(versions: set[str]) -> bool:
        body = (await api("groups", "team", "deployments", d["id"])).body
        replicas = await asyncio.to_thread(_replicas, d["id"])
        return (
            settled(body)
            and len(replicas) == len(versions)
            and all(state == "RUNNING" for _, state in replicas)
            and set(await versions_served(api, d["id"], 20)) == versions
        )

    async with RequestLoop(api, d["id"], workers=2) as requests:
        await requests.more(10)
        half = [{"model_uri": t["model_uri"], "weight": 50} for t in traffic]
        r = await api("groups", "team", "deployments", d["id"], method="PATCH",
                      body={"traffic": half})  # fmt: skip
        assert r.status == 200, r.text
        await until(lambda: _weights_are(api, d["id"], 0.5), 120, "the 50/50 split")
        assert await _replica_ids(d["id"]) == started  # new weights restart nothing

        r = await api("groups", "team", "deployments", d["id"], "promote", method="POST",
                      body={"model_uri": uri(name, "2")})  # fmt: skip
        assert r.status == 200, r.text
        await until(lambda: serving({"2"}), 300, "version 2 alone")
        r = await api("groups", "team", "deployments", d["id"], "rollback", method="POST")
        assert r.status == 200, r.text
        await until(lambda: serving({"1", "2"}), 300, "the 50/50 split again")
        await requests.more(10)
    assert set(requests.results) == {200}, requests.results

    # a canary that cannot load: the others keep serving as they did, with the reason
    r = await api("groups", "team", "deployments", d["id"], method="PATCH", body={
        "traffic": [*half[:1], {"model_uri": uri(name, "3"), "weight": 50}]})  # fmt: skip
    assert r.status == 200, r.text
    d = await wait_for(
        api, "team", d["id"], lambda b: b["history"][-1].get("status") == "failed", within=400
    )
    assert "missing_dependency_for_tests" in d["history"][-1]["message"]
    assert d["phase"] == "Deployed" and "still serving" in d["message"]
    assert set(await versions_served(api, d["id"], 40)) == {"1", "2"}
    await api("groups", "team", "deployments", d["id"], method="DELETE")


async def _weights_are(api: Any, deployment_id: str, share: float) -> bool:
    from tests.test_promotion import versions_served

    seen = await versions_served(api, deployment_id, 100)
    return abs(seen["2"] / 100 - share) <= 0.1
