"""Deployments on the local backend: real ``mlflow models serve`` processes, real scoring."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SECRETS
from tests.deploying import (
    ROWS,
    RequestLoop,
    alive,
    model_predictions,
    pids,
    score,
    wait_for,
)
from tests.seed_registry import IRIS

pytestmark = pytest.mark.timeout(600)


async def test_deploy_score_swap_stop_start_delete(
    api: Any, mlflow_uri: str, seeded: Any, state_dir: Path
) -> None:
    created = await api(
        "groups", "team", "deployments", method="POST",
        body={"name": "Iris prod", "model_uri": f"models:/{IRIS}/1",
              "env": [{"name": "APP_SETTING", "value": "x"}]},
    )  # fmt: skip
    assert created.status == 201, created.text
    d = created.body
    assert d["id"].startswith("iris-prod-") and len(d["id"]) <= 63
    assert d["phase"] == "Deploying" and d["served_version"] == "1"
    assert d["group"] == "team" and d["backend"] == "local" and d["access"] == "private"
    assert [h["model_uri"] for h in d["history"]] == [f"models:/{IRIS}/1"]

    dup = await api("groups", "team", "deployments", method="POST",
                    body={"name": "Iris prod", "model_uri": f"models:/{IRIS}/2"})  # fmt: skip
    assert dup.status == 409 and dup.body["error"]["code"] == "CONFLICT"
    assert dup.body["error"]["field"] == "name"  # the dialog shows it at the name field

    d = await wait_for(api, "team", d["id"], lambda b: b["phase"] == "Deployed")
    assert d["endpoint"].startswith("unix:")
    versions = (await api("groups", "team", "models", IRIS, "versions")).body["versions"]
    by_version = {v["version"]: v["deployed_by"] for v in versions}
    assert by_version["1"] == [
        {"id": d["id"], "name": "Iris prod", "phase": "Deployed", "weight": 100}
    ]
    assert by_version["2"] == []

    scored = await score(api, d["id"])
    assert scored.status == 200, scored.text
    assert scored.body["predictions"] == model_predictions(mlflow_uri, "1")
    columns, first, second = ROWS["columns"], ROWS["data"][0], ROWS["data"][1]
    records = {"dataframe_records": [dict(zip(columns, first, strict=True))]}
    inputs = {"inputs": {c: [v] for c, v in zip(columns, second, strict=True)}}
    instances = {"instances": [dict(zip(columns, first, strict=True))]}
    for payload in (records, inputs, instances):
        other = await score(api, d["id"], payload)
        assert other.status == 200, other.text
        assert len(other.body["predictions"]) == 1
    csv = ",".join(columns) + "\n" + "\n".join(",".join(map(str, r)) for r in ROWS["data"])
    as_csv = await api("groups", "team", "deployments", d["id"], "invocations", method="POST",
                       data=csv, headers={"Content-Type": "text/csv"})  # fmt: skip
    assert as_csv.status == 200, as_csv.text
    assert as_csv.body["predictions"] == scored.body["predictions"]
    bad = await score(api, d["id"], {"nonsense": 1})
    assert bad.status == 400  # the scoring server's own error, passed through

    # swap to version 2 under a steady stream of requests: not one may fail
    first_pids = pids(d, state_dir)
    async with RequestLoop(api, d["id"]) as requests:
        to_v2 = {"model_uri": f"models:/{IRIS}/2", "revision": d["revision"]}
        patched = await api("groups", "team", "deployments", d["id"], method="PATCH", body=to_v2)
        assert patched.status == 200, patched.text
        stale = await api("groups", "team", "deployments", d["id"], method="PATCH",
                          body={"description": "late", "revision": d["revision"]})  # fmt: skip
        assert stale.status == 409 and stale.body["error"]["code"] == "CONFLICT"
        d = await wait_for(
            api, "team", d["id"],
            lambda b: b["phase"] == "Deployed" and not b["message"]
            and set(pids(b, state_dir)).isdisjoint(first_pids) and pids(b, state_dir),
        )  # fmt: skip
        await requests.more(20)  # and it goes on serving on the new set
        results = await requests.stop()
    assert len(results) > 20
    assert set(results) == {200}, f"{results.count(200)}/{len(results)} succeeded"
    assert not any(alive(p) for p in first_pids)  # the old version is gone
    assert [h["version"] for h in d["history"]] == ["1", "2"]
    assert (await score(api, d["id"])).body["predictions"] == model_predictions(mlflow_uri, "2")
    versions = (await api("groups", "team", "models", IRIS, "versions")).body["versions"]
    assert {v["version"]: len(v["deployed_by"]) for v in versions}["2"] == 1

    logs = await api("groups", "team", "deployments", d["id"], "logs", params={"tail": 10000})
    assert logs.status == 200 and logs.body["lines"]
    assert any("primehub-models" in line for line in logs.body["lines"])

    stopped = await api("groups", "team", "deployments", d["id"], "stop", method="POST")
    assert stopped.status == 200
    serving = pids(d, state_dir)
    d = await wait_for(api, "team", d["id"], lambda b: b["phase"] == "Stopped")
    assert not any(alive(p) for p in serving)
    not_serving = await score(api, d["id"])
    assert not_serving.status == 409 and "not serving" in not_serving.body["error"]["message"]

    started = await api("groups", "team", "deployments", d["id"], "start", method="POST")
    assert started.status == 200
    d = await wait_for(api, "team", d["id"], lambda b: b["phase"] == "Deployed")
    assert (await score(api, d["id"])).status == 200

    serving = pids(d, state_dir)
    gone = await api("groups", "team", "deployments", d["id"], method="DELETE")
    assert gone.status == 202
    assert (await api("groups", "team", "deployments", d["id"])).status == 404
    deadline = time.monotonic() + 60
    while any(alive(p) for p in serving) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    assert not any(alive(p) for p in serving)
    assert (await api("groups", "team", "deployments")).body == {"deployments": []}


async def test_alias_is_resolved_and_shown_on_its_version(api: Any, seeded: Any) -> None:
    r = await api("groups", "team", "deployments", method="POST",
                  body={"name": "champion", "model_uri": f"models:/{IRIS}@champion"})  # fmt: skip
    assert r.status == 201, r.text
    assert r.body["served_version"] == "2"
    versions = (await api("groups", "team", "models", IRIS, "versions")).body["versions"]
    assert [v["version"] for v in versions if v["deployed_by"]] == ["2"]
    await api("groups", "team", "deployments", r.body["id"], method="DELETE")


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"name": "x", "model_uri": f"models:/{IRIS}/99"}, 400, "does not exist"),
        ({"name": "x", "model_uri": "models:/no such model/1"}, 400, "does not exist"),
        ({"name": "x", "model_uri": f"models:/{IRIS}@nope"}, 400, "no alias"),
        ({"name": "x", "model_uri": "runs:/abc/model"}, 400, "models:/"),
        ({"name": "x", "model_uri": "models:/a/b/c"}, 400, "models:/"),
        ({"name": "", "model_uri": f"models:/{IRIS}/1"}, 400, "name"),
        ({"name": "x" * 64, "model_uri": f"models:/{IRIS}/1"}, 400, "name"),
        ({"name": "x", "model_uri": f"models:/{IRIS}/1", "replicas": 0}, 400, "replicas"),
        ({"name": "x", "model_uri": f"models:/{IRIS}/1", "replicas": 1000}, 400, "replicas"),
        (
            {"name": "x", "model_uri": f"models:/{IRIS}/1", "env": [{"name": "1BAD", "value": ""}]},
            400,
            "env",
        ),
        ({"name": "x", "model_uri": f"models:/{IRIS}/1", "access": "world"}, 400, "access"),
        ({"name": "x", "model_uri": f"models:/{IRIS}/1", "colour": "red"}, 400, "colour"),
        ([1, 2], 400, "JSON object"),
    ],
)
async def test_bad_create_is_refused_and_nothing_stored(
    api: Any, seeded: Any, body: Any, status: int, fragment: str
) -> None:
    r = await api("groups", "team", "deployments", method="POST", body=body)
    assert r.status == status, r.text
    assert r.body["error"]["code"] == "INVALID_ARGUMENT"
    assert fragment in r.body["error"]["message"]
    fields = {"does not exist": "model_uri", "no alias": "model_uri", "models:/": "model_uri"}
    expected = fields.get(fragment, None if body == [1, 2] else fragment)
    assert r.body["error"].get("field") == expected
    assert (await api("groups", "team", "deployments")).body == {"deployments": []}


async def test_unknown_group_and_deployment(api: Any) -> None:
    r = await api("groups", "nope", "deployments", method="POST",
                  body={"name": "x", "model_uri": f"models:/{IRIS}/1"})  # fmt: skip
    assert r.status == 404
    for path in ((), ("stop",), ("logs",)):
        method = "POST" if path == ("stop",) else "GET"
        r = await api("groups", "team", "deployments", "missing-abc123", *path, method=method)
        assert r.status == 404 and r.body["error"]["code"] == "NOT_FOUND"


async def test_secrets_never_leave_in_answers_or_logs(api: Any, seeded: Any) -> None:
    r = await api("groups", "team", "deployments", method="POST",
                  body={"name": "secretive", "model_uri": f"models:/{IRIS}/1",
                        "env": [{"name": "MY_API_TOKEN", "value": "hush-hush-1234"}]})  # fmt: skip
    assert r.status == 201
    assert r.body["env"] == [{"name": "MY_API_TOKEN", "value": "********"}]
    assert "hush-hush-1234" not in r.text
    # a PATCH that sends the mask back keeps the stored value
    p = await api("groups", "team", "deployments", r.body["id"], method="PATCH",
                  body={"env": [{"name": "MY_API_TOKEN", "value": "********"}],
                        "description": "kept"})  # fmt: skip
    assert p.status == 200 and p.body["description"] == "kept"
    logs = await api("groups", "team", "deployments", r.body["id"], "logs")
    assert logs.status == 200
    for secret in SECRETS.values():
        assert secret not in logs.text
    await api("groups", "team", "deployments", r.body["id"], method="DELETE")
