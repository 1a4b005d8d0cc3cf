"""What a deployment's environment may hold, and what never comes back out of the server:
the group's binding cannot be redirected, the server's own credentials never reach a
serving process, and secret values are masked in every shape a log can hold them."""

from __future__ import annotations

import base64
import os
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.deploying import pids, wait_for
from tests.seed_registry import AMBIENT_LEAK, IRIS, LEAKY

pytestmark = pytest.mark.timeout(600)

FORBIDDEN = [
    "MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_PASSWORD", "MLFLOW_REGISTRY_URI", "MLFLOW_S3_ENDPOINT_URL",
    "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AZURE_STORAGE_CONNECTION_STRING",
    "GOOGLE_APPLICATION_CREDENTIALS", "LD_PRELOAD", "LD_LIBRARY_PATH", "PYTHONPATH",
    "PYTHONSTARTUP", "PATH", "https_proxy", "HTTP_PROXY",
]  # fmt: skip
SLASH_PASSWORD = "pa/ss-4e1d-never-shown"


@pytest.fixture
def extra_groups(mlflow_uri: str) -> dict[str, Any]:
    host = mlflow_uri.removeprefix("http://")
    return {"slashpw": {"tracking_uri": f"http://alice:{SLASH_PASSWORD}@{host}"}}


@pytest.mark.parametrize("name", FORBIDDEN)
async def test_a_deployment_cannot_override_the_groups_binding(api: Any, name: str) -> None:
    body = {
        "name": f"redirect {name}", "model_uri": f"models:/{IRIS}/1",
        "env": [{"name": "APP_MODE", "value": "x"}, {"name": name, "value": "http://evil.test"}],
    }  # fmt: skip
    r = await api("groups", "team", "deployments", method="POST", body=body)
    assert r.status == 400, r.text
    assert r.body["error"]["code"] == "INVALID_ARGUMENT"
    assert r.body["error"]["field"] == "env" and name in r.body["error"]["message"]
    listed = await api("groups", "team", "deployments")
    assert all(d["name"] != body["name"] for d in listed.body["deployments"])  # nothing kept


async def test_an_update_cannot_override_it_either(api: Any, state_dir: Path) -> None:
    made = await api("groups", "team", "deployments", method="POST", body={
        "name": "later redirect", "model_uri": f"models:/{IRIS}/1",
        "env": [{"name": "APP_MODE", "value": "x"}],
    })  # fmt: skip
    assert made.status == 201, made.text
    try:
        patch = {"env": [{"name": "MLFLOW_TRACKING_URI", "value": "http://evil.test"}],
                 "revision": made.body["revision"]}  # fmt: skip
        r = await api("groups", "team", "deployments", made.body["id"], method="PATCH",
                      body=patch)  # fmt: skip
        assert r.status == 400 and r.body["error"]["field"] == "env", r.text
        now = await api("groups", "team", "deployments", made.body["id"])
        assert now.body["revision"] == made.body["revision"]
        assert now.body["env"] == [{"name": "APP_MODE", "value": "x"}]
    finally:
        await api("groups", "team", "deployments", made.body["id"], method="DELETE")


async def test_serving_processes_never_get_the_servers_own_credentials(
    api: Any, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server runs with credentials of its own; group "basic" has none but basic auth
    in its URI. Its serving process gets that group's binding, nothing of the server's."""
    ambient = {
        "MLFLOW_TRACKING_TOKEN": "ambient-token-91b2-never-shown",
        "AWS_SECRET_ACCESS_KEY": "ambient-aws-3c4d-never-shown",
        "SOME_SERVICE_PASSWORD": "ambient-pw-77aa-never-shown",
    }
    for key, value in ambient.items():
        monkeypatch.setenv(key, value)
    made = await api("groups", "basic", "deployments", method="POST",
                     body={"name": "no ambient", "model_uri": f"models:/{IRIS}/1"})  # fmt: skip
    assert made.status == 201, made.text
    d = await wait_for(api, "basic", made.body["id"], lambda b: b["phase"] == "Deployed")
    try:
        (pid,) = pids(d, state_dir)
        env = dict(
            item.split("=", 1)
            for item in Path(f"/proc/{pid}/environ").read_text().split("\0")
            if "=" in item
        )
        for key, value in ambient.items():
            assert value not in env.values(), key
        assert env["MLFLOW_TRACKING_USERNAME"] == "alice"  # the group's own binding
        assert "alice" not in env["MLFLOW_TRACKING_URI"]  # credentials apart from the URI
        assert env["PATH"] and "HOME" in env  # what the process needs to run
    finally:
        await api("groups", "basic", "deployments", d["id"], method="DELETE")


async def test_secret_values_are_masked_wherever_they_come_back(
    api: Any, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version that prints its token raw, URL-encoded, base64-encoded and split across
    lines, then fails to load, as an update: the message, the history and the logs mask
    every form, and a value of the server's own environment too."""
    monkeypatch.setenv("BILLING_SERVICE_PASSWORD", AMBIENT_LEAK)
    token = "tok/en+with=odd?chars-5a6b7c8d9e"
    made = await api("groups", "team", "deployments", method="POST", body={
        "name": "masked", "model_uri": f"models:/{IRIS}/1",
        "env": [{"name": "APP_API_TOKEN", "value": token}],
    })  # fmt: skip
    assert made.status == 201, made.text
    d = await wait_for(api, "team", made.body["id"], lambda b: b["phase"] == "Deployed")
    try:
        r = await api("groups", "team", "deployments", d["id"], method="PATCH",
                      body={"model_uri": f"models:/{LEAKY}/1"})  # fmt: skip
        assert r.status == 200, r.text

        def failed(b: dict[str, Any]) -> bool:
            return any(h.get("status") == "failed" for h in b["history"])

        d = await wait_for(api, "team", d["id"], failed)
        logs = await api("groups", "team", "deployments", d["id"], "logs",
                         params={"tail": 10000})  # fmt: skip
        shown = [d["message"], *(h.get("message") or "" for h in d["history"]),
                 "\n".join(logs.body["lines"])]  # fmt: skip
        assert any("was refused" in text for text in shown[:-1])  # the reason is there
        assert "(continued)" in shown[-1] and "ambient" in shown[-1]
        forms = [
            token, urllib.parse.quote(token, safe=""),
            base64.b64encode(("bearer:" + token).encode()).decode(),
            token[: len(token) // 2] + "\n" + token[len(token) // 2 :], AMBIENT_LEAK,
        ]  # fmt: skip
        for text in shown:
            for form in forms:
                assert form not in text, (form, text[-2000:])
    finally:
        await api("groups", "team", "deployments", d["id"], method="DELETE")


async def test_a_password_holding_a_slash_never_comes_back(api: Any, mlflow_uri: str) -> None:
    groups = await api("groups")
    (group,) = [g for g in groups.body["groups"] if g["name"] == "slashpw"]
    assert group["mlflow"]["ui_url"] == mlflow_uri
    status = await api("groups", "slashpw", "status")
    assert status.body["mlflow"] == "ok", status.text  # the URI was read right
    assert status.body["host"] == mlflow_uri.removeprefix("http://")
    for reply in (groups, status):
        assert SLASH_PASSWORD not in reply.text and "pa/ss" not in reply.text
    assert SLASH_PASSWORD not in os.environ.get("MLFLOW_TRACKING_URI", "")
