"""Promotion and rollout on the local backend: registry writes, traffic splits read from
``X-Model-Version``, promote and rollback under a request loop, a canary that cannot load,
and an alias moved in MLflow (not through us) rolling its deployment over by itself."""

from __future__ import annotations

import asyncio
import collections
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from jupyter_primehub_models.server.extension import SETTINGS_KEY
from tests.conftest import assert_safe
from tests.deploying import RequestLoop, pids, score, until, wait_for
from tests.seed_registry import BROKEN, IRIS

pytestmark = pytest.mark.timeout(900)


@pytest.fixture
def alias_poll_interval() -> float:
    return 2.0


async def register(api: Any, name: str, model_id: str) -> str:
    r = await api("groups", "team", "models", name, "versions", method="POST",
                  body={"model_id": model_id})  # fmt: skip
    assert r.status == 201, r.text
    return r.body["version"]


async def model_id_of(api: Any, name: str, version: str) -> str:
    r = await api("groups", "team", "models", name, "versions", version)
    assert r.status == 200, r.text
    return r.body["model_id"]


async def own_model(api: Any, seeded: Any, *, broken: bool = False) -> str:
    """A registered model of this test's own: v1 and v2 are two iris models (v3 one that
    dies at load), made through the API's register call."""
    name = f"promo {uuid.uuid4().hex[:6]}"
    for made in (seeded[IRIS][0], seeded[IRIS][2]):
        await register(api, name, made["model_id"])
    if broken:
        await register(api, name, await model_id_of(api, BROKEN, "1"))
    return name


def uri(name: str, ref: str) -> str:
    return f"models:/{name}/{ref}" if not ref.startswith("@") else f"models:/{name}{ref}"


async def versions_served(api: Any, deployment_id: str, count: int) -> collections.Counter[str]:
    """``count`` scoring requests, 8 at a time: how many each version answered."""
    seen: collections.Counter[str] = collections.Counter()
    gate = asyncio.Semaphore(8)

    async def one() -> None:
        async with gate:
            r = await score(api, deployment_id)
        assert r.status == 200, r.text
        seen[r.headers["X-Model-Version"]] += 1

    await asyncio.gather(*(one() for _ in range(count)))
    return seen


async def test_registry_writes_and_their_refusals(api: Any, seeded: Any) -> None:
    name = f"awkward 100% ü {uuid.uuid4().hex[:4]}"
    first = await register(api, name, seeded[IRIS][0]["model_id"])
    second = await register(api, name, seeded[IRIS][1]["model_id"])
    assert (first, second) == ("1", "2")

    r = await api("groups", "team", "models", name, "aliases", "champion", method="PUT",
                  body={"version": "1"})  # fmt: skip
    assert r.status == 200 and r.body["aliases"] == {"champion": "1"}, r.text
    r = await api("groups", "team", "models", name, "aliases", "champion", method="PUT",
                  body={"version": "2"})  # fmt: skip
    assert r.body["aliases"] == {"champion": "2"}  # moved
    page = await api("groups", "team", "models", name, "versions")
    assert [v["aliases"] for v in page.body["versions"]] == [["champion"], []]
    r = await api("groups", "team", "models", name, "aliases", "champion", method="DELETE")
    assert r.status == 200 and r.body["aliases"] == {}

    edit = {"description": "讀我 100%", "tags": {"reviewed": "yes", "k 1": "v"}}
    r = await api("groups", "team", "models", name, method="PATCH", body=edit)
    assert r.status == 200 and r.body["description"] == "讀我 100%", r.text
    assert r.body["tags"] == {"reviewed": "yes", "k 1": "v"}
    r = await api("groups", "team", "models", name, method="PATCH", body={"tags": {"k 1": None}})
    assert r.body["tags"] == {"reviewed": "yes"}  # null deletes

    r = await api("groups", "team", "models", name, "versions", "2", method="PATCH",
                  body={"description": "the better one", "tags": {"validated": "yes"}})  # fmt: skip
    assert r.status == 200, r.text
    assert r.body["description"] == "the better one" and r.body["tags"] == {"validated": "yes"}

    refusals = [
        (("aliases", "latest"), "PUT", {"version": "1"}, 400, "alias"),
        (("aliases", "v3"), "PUT", {"version": "1"}, 400, "alias"),
        (("aliases", "two words"), "PUT", {"version": "1"}, 400, "alias"),
        (("aliases", "ok"), "PUT", {"version": "one"}, 400, "version"),
        (("aliases", "ok"), "PUT", {"version": "99"}, 404, None),
        (("aliases", "nobody"), "DELETE", None, 404, None),
        ((), "PATCH", {"tags": {"x" * 251: "v"}}, 400, "tags"),
        ((), "PATCH", {"description": "d" * 65537}, 400, "description"),
        (("versions", "2"), "PATCH", {"tags": {"": "v"}}, 400, "tags"),
        (("versions", "9"), "PATCH", {"description": "x"}, 404, None),
        (("versions",), "POST", {"source": "runs:/x/model"}, 400, "model_id"),
        (("versions",), "POST", {"model_id": "not an id"}, 400, "model_id"),
        (("versions",), "POST", {"model_id": "m-0123456789abcdef0123456789abcdef"}, 404, None),
    ]
    for path, method, body, status, field in refusals:
        r = await api("groups", "team", "models", name, *path, method=method, body=body)
        assert r.status == status, (path, body, r.text)
        assert_safe(r.text, r.status)
        if field:
            assert r.body["error"].get("field") == field, (path, r.body)
    r = await api("groups", "team", "models", "no such model", method="PATCH",
                  body={"description": "x"})  # fmt: skip
    assert r.status == 404 and r.body["error"]["code"] == "NOT_FOUND"

    # a run's logged models: what a new version is registered from
    run = seeded[IRIS][0]["run_id"]
    r = await api("groups", "team", "runs", run, "logged-models")
    assert r.status == 200 and [m["id"] for m in r.body["models"]] == [
        seeded[IRIS][0]["model_id"]
    ], r.text


async def test_split_shift_promote_rollback_under_load(
    api: Any, seeded: Any, state_dir: Path
) -> None:
    name = await own_model(api, seeded)
    r = await api("groups", "team", "deployments", method="POST", body={
        "name": "canary", "traffic": [{"model_uri": uri(name, "1"), "weight": 90},
                                      {"model_uri": uri(name, "2"), "weight": 10}]})  # fmt: skip
    assert r.status == 201, r.text
    d = await wait_for(api, "team", r.body["id"], lambda b: b["phase"] == "Deployed")
    assert [(t["version"], t["weight"]) for t in d["traffic"]] == [("1", 90), ("2", 10)]
    assert d["model_uri"] == uri(name, "1")
    started = sorted(pids(d, state_dir))
    assert len(started) == 2  # one process per entry

    seen = await versions_served(api, d["id"], 2000)
    assert set(seen) == {"1", "2"}
    assert abs(seen["2"] / 2000 - 0.10) <= 0.025, seen

    page = await api("groups", "team", "models", name, "versions")
    deployed = {v["version"]: v["deployed_by"] for v in page.body["versions"]}
    assert [b["weight"] for b in deployed["1"]] == [90] and deployed["2"][0]["weight"] == 10

    async with RequestLoop(api, d["id"], workers=4) as requests:
        await requests.more(20)
        r = await api("groups", "team", "deployments", d["id"], method="PATCH", body={
            "traffic": [{"model_uri": uri(name, "1"), "weight": 50},
                        {"model_uri": uri(name, "2"), "weight": 50}]})  # fmt: skip
        assert r.status == 200, r.text
        assert r.body["history"][-1]["action"] == "weights"
        await requests.more(20)
        # (the loop's requests take turns in the same rotation: the share is read below)
        assert set(await versions_served(api, d["id"], 40)) == {"1", "2"}
        assert sorted(pids(await get(api, d["id"]), state_dir)) == started  # nothing restarted

        r = await api("groups", "team", "deployments", d["id"], "promote", method="POST")
        assert r.status == 200, r.text  # (no body: the canary)
        assert [(t["version"], t["weight"]) for t in r.body["traffic"]] == [("2", 100)]
        await until(lambda: only_version(api, d["id"], "2", state_dir, 1), 120,
                    "promoted: version 2 alone")  # fmt: skip

        r = await api("groups", "team", "deployments", d["id"], "rollback", method="POST")
        assert r.status == 200, r.text
        assert [(t["version"], t["weight"]) for t in r.body["traffic"]] == [("1", 50), ("2", 50)]
        await until(lambda: both_served(api, d["id"], state_dir), 120, "rolled back to 50/50")
        await requests.more(20)
    assert requests.results and set(requests.results) == {200}, collections.Counter(
        requests.results
    )
    # rolled back to the 50/50 split: alone now, it takes exact turns
    assert await versions_served(api, d["id"], 400) == {"1": 200, "2": 200}

    d = await get(api, d["id"])
    actions = [(h["action"], h["by"]) for h in d["history"]]
    assert [a for a, _ in actions] == ["create", "weights", "promote", "rollback"]
    assert all(by for _, by in actions)  # who: the Jupyter user
    rollback = d["history"][-1]
    assert [(t["version"], t["weight"]) for t in rollback["previous"]] == [("2", 100)]

    r = await api("groups", "team", "deployments", d["id"], "rollback", method="POST",
                  body={"to": 99})  # fmt: skip
    assert r.status == 400 and r.body["error"]["field"] == "to"


async def get(api: Any, deployment_id: str) -> dict[str, Any]:
    r = await api("groups", "team", "deployments", deployment_id)
    assert r.status == 200, r.text
    return r.body


async def only_version(
    api: Any, deployment_id: str, version: str, state_dir: Path, processes: int
) -> bool:
    d = await get(api, deployment_id)
    if d["phase"] != "Deployed" or len(pids(d, state_dir)) != processes:
        return False
    return set(await versions_served(api, deployment_id, 20)) == {version}


async def both_served(api: Any, deployment_id: str, state_dir: Path) -> bool:
    d = await get(api, deployment_id)
    if d["phase"] != "Deployed" or len(pids(d, state_dir)) != 2:
        return False
    return set(await versions_served(api, deployment_id, 20)) == {"1", "2"}


async def test_a_canary_that_cannot_load_leaves_the_stable_version_serving(
    api: Any, seeded: Any, state_dir: Path
) -> None:
    name = await own_model(api, seeded, broken=True)
    r = await api("groups", "team", "deployments", method="POST",
                  body={"name": "stable", "model_uri": uri(name, "1")})  # fmt: skip
    d = await wait_for(api, "team", r.body["id"], lambda b: b["phase"] == "Deployed")
    async with RequestLoop(api, d["id"], workers=2) as requests:
        r = await api("groups", "team", "deployments", d["id"], method="PATCH", body={
            "traffic": [{"model_uri": uri(name, "1"), "weight": 90},
                        {"model_uri": uri(name, "3"), "weight": 10}]})  # fmt: skip
        assert r.status == 200, r.text
        d = await wait_for(api, "team", d["id"],
                           lambda b: b["history"][-1].get("status") == "failed")  # fmt: skip
        await requests.more(20)
    assert set(requests.results) == {200}
    assert "missing_dependency_for_tests" in d["history"][-1]["message"]
    assert "still serving" in d["message"] and d["phase"] == "Deployed"
    assert set(await versions_served(api, d["id"], 100)) == {"1"}  # the stable one at 100 %


async def test_an_alias_moved_in_mlflow_rolls_its_followers_over(
    api: Any, seeded: Any, mlflow_uri: str, state_dir: Path, jp_serverapp: Any
) -> None:
    name = await own_model(api, seeded)
    r = await api("groups", "team", "models", name, "aliases", "prod", method="PUT",
                  body={"version": "1"})  # fmt: skip
    assert r.status == 200
    made = []
    for label in ("follower a", "follower b"):
        r = await api("groups", "team", "deployments", method="POST",
                      body={"name": label, "model_uri": uri(name, "@prod")})  # fmt: skip
        assert r.status == 201, r.text
        made.append(r.body["id"])
    for deployment_id in made:
        await wait_for(api, "team", deployment_id, lambda b: b["phase"] == "Deployed")
    # one registered-models/get per followed model per look, however many follow it
    follower = jp_serverapp.web_app.settings[SETTINGS_KEY].follower
    before = follower.looks
    await follower.poll_once()
    assert follower.looks - before == 1

    async with RequestLoop(api, made[0], workers=4) as requests:
        await requests.more(20)
        # moved in MLflow itself, as the MLflow UI or a CI job would
        async with aiohttp.ClientSession() as http, http.post(
            f"{mlflow_uri}/api/2.0/mlflow/registered-models/alias",
            json={"name": name, "alias": "prod", "version": "2"},
        ) as moved:  # fmt: skip
            assert moved.status == 200, await moved.text()
        for deployment_id in made:
            await until(lambda i=deployment_id: only_version(api, i, "2", state_dir, 1), 120,
                        "the follower serves version 2")  # fmt: skip
        await requests.more(20)
    assert set(requests.results) == {200}, collections.Counter(requests.results)
    d = await get(api, made[0])
    last = d["history"][-1]
    assert (last["action"], last["by"], last["version"]) == ("alias_moved", None, "2")
    assert d["model_uri"] == uri(name, "@prod") and d["served_version"] == "2"

    # moved through this extension: at once (no poll to wait for), by whoever moved it
    r = await api("groups", "team", "models", name, "aliases", "prod", method="PUT",
                  body={"version": "1"})  # fmt: skip
    d = await get(api, made[1])
    assert d["served_version"] == "1" and d["history"][-1]["by"]
