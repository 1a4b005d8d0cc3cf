"""Registry writes against MLflow's own auth server (``--app-name basic-auth``): a user
with READ only gets ``FORBIDDEN`` with MLflow's message, and nothing changes; the same
write with EDIT goes through. The group's credentials are the only ones used."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests import servers
from tests.conftest import assert_safe

pytestmark = pytest.mark.timeout(300)
ADMIN_PASSWORD = "admin-pw-4e1f-never-shown"
READER_PASSWORD = "reader-pw-9a2b-never-shown"
MODEL = "guarded model"


def _as_admin(url: str, endpoint: str, body: dict[str, Any], method: str = "POST") -> Any:
    token = base64.b64encode(f"admin:{ADMIN_PASSWORD}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{url}/api/2.0/mlflow/{endpoint}", data=json.dumps(body).encode(), method=method,
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        return json.loads(answer.read() or b"{}")


@pytest.fixture(scope="module")
def auth_mlflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mlflow-auth")
    with servers.mlflow_server(root, admin_password=ADMIN_PASSWORD) as url:
        _as_admin(url, "users/create", {"username": "reader", "password": READER_PASSWORD})
        _as_admin(url, "registered-models/create", {"name": MODEL, "description": "as made"})
        yield url


@pytest.fixture
def extra_groups(auth_mlflow: str) -> dict[str, Any]:
    def bound(user: str, password: str) -> dict[str, Any]:
        env = {"MLFLOW_TRACKING_USERNAME": user, "MLFLOW_TRACKING_PASSWORD": password}
        return {"tracking_uri": auth_mlflow, "env": env}

    return {"readers": bound("reader", READER_PASSWORD), "admins": bound("admin", ADMIN_PASSWORD)}


async def test_a_user_without_edit_permission_is_forbidden_with_mlflows_message(
    api: Any,
) -> None:
    seen = await api("groups", "readers", "models", MODEL)
    assert seen.status == 200 and seen.body["description"] == "as made"  # READ is allowed

    writes = [
        ((), "PATCH", {"description": "changed by a reader"}),
        ((), "PATCH", {"tags": {"team": "x"}}),
        (("aliases", "prod"), "PUT", {"version": "1"}),
    ]
    for path, method, body in writes:
        r = await api("groups", "readers", "models", MODEL, *path, method=method, body=body)
        assert r.status == 403, (path, r.text)
        assert r.body["error"]["code"] == "FORBIDDEN"
        assert "Permission denied" in r.body["error"]["message"]  # MLflow's own words
        assert_safe(r.text, r.status)
        assert READER_PASSWORD not in r.text and ADMIN_PASSWORD not in r.text

    unchanged = await api("groups", "readers", "models", MODEL)
    assert unchanged.body["description"] == "as made" and unchanged.body["tags"] == {}

    # with EDIT (the admin), the same write goes through
    r = await api("groups", "admins", "models", MODEL, method="PATCH",
                  body={"description": "changed by an editor"})  # fmt: skip
    assert r.status == 200 and r.body["description"] == "changed by an editor", r.text
