"""Fixtures: one real MLflow server per session, seeded with real models; Jupyter via jp_fetch."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from jupyter_server.serverapp import ServerApp
from tornado.httpclient import HTTPClientError
from traitlets.config import Config

from tests import servers

pytest_plugins = ("pytest_jupyter.jupyter_server",)

#: Credentials configured for the test groups: no response may ever contain one.
SECRETS = {
    "MLFLOW_TRACKING_TOKEN": "tok-3f9a1c-never-shown",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-8d7e6f-never-shown",
    "AWS_ACCESS_KEY_ID": "AKIANEVERSHOWN0001",
}
BASIC_PASSWORD = "pw-5b4a3c-never-shown"


@pytest.fixture(scope="session")
def mlflow_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with servers.mlflow_server(tmp_path_factory.mktemp("mlflow")) as url:
        yield url


@pytest.fixture(scope="session")
def seeded(mlflow_uri: str) -> dict[str, list[dict[str, str]]]:
    """What ``seed_registry.py`` registered: {model name: [versions, oldest first]}."""
    return servers.seed_registry(mlflow_uri)


@pytest.fixture(scope="session")
def down_uri() -> str:
    """A loopback port nobody listens on."""
    return f"http://127.0.0.1:{servers.free_port()}"


@pytest.fixture(scope="session")
def comeback_uri() -> str:
    """A loopback port nobody listens on until a test forwards it to MLflow (Retry)."""
    return f"http://127.0.0.1:{servers.free_port()}"


def groups_config(mlflow_uri: str, down_uri: str, **extra: dict[str, Any]) -> dict[str, Any]:
    user_uri = mlflow_uri.replace("http://", f"http://alice:{BASIC_PASSWORD}@")
    return {
        "team": {"tracking_uri": mlflow_uri, "display_name": "Team A", "env": dict(SECRETS)},
        "basic": {"tracking_uri": user_uri, "ui_url": "http://mlflow.example.test"},
        "unconfigured": {"display_name": "No MLflow"},
        "down": {"tracking_uri": down_uri, "env": dict(SECRETS)},
        **extra,
    }


@pytest.fixture
def extra_groups() -> dict[str, Any]:
    """Override in a test module to add groups (a hanging or HTML upstream)."""
    return {}


@pytest.fixture
def mlflow_timeout() -> float:
    return 10.0


@pytest.fixture
def alias_poll_interval() -> float:
    """Override in a test module to look at followed aliases more often."""
    return 30.0


#: the state folders of a test's deployments: their serving processes die at its end
STATE_DIRS = pytest.StashKey[list[Path]]()


@pytest.fixture
def state_dir(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The test's own deployments store; its serving processes die once the test's server
    has stopped (``jp_server_cleanup``)."""
    path = tmp_path / "state"
    request.node.stash.setdefault(STATE_DIRS, []).append(path)
    return path


@pytest.fixture(autouse=True)
def jp_server_cleanup(jp_asyncio_loop: Any, request: pytest.FixtureRequest) -> Iterator[None]:
    """pytest-jupyter's own cleanup (the in-process server stops, and with it this extension,
    which records what runs), then the test's serving processes are killed. Overridden here
    because this autouse fixture is torn down last: a fixture's own kill would run while
    the server still ran, and miss a process that became ready meanwhile."""
    yield
    app = ServerApp.instance()
    try:
        jp_asyncio_loop.run_until_complete(app._cleanup())
    except (RuntimeError, SystemExit) as err:  # (as pytest-jupyter: a server never started)
        print("ignoring cleanup error", err)
    if hasattr(app, "kernel_manager"):
        app.kernel_manager.context.destroy()
    ServerApp.clear_instance()
    for path in request.node.stash.get(STATE_DIRS, []):
        servers.kill_serving_processes(path)


@pytest.fixture
def jp_server_config(
    seeded: Any,
    mlflow_uri: str,
    down_uri: str,
    extra_groups: dict[str, Any],
    mlflow_timeout: float,
    state_dir: Path,
    alias_poll_interval: float,
) -> Config:
    return Config(
        {
            "ServerApp": {"jpserver_extensions": {"jupyter_primehub_models": True}},
            "PrimeHubModels": {
                "groups": groups_config(mlflow_uri, down_uri, **extra_groups),
                "default_group": "team",
                "mlflow_timeout": mlflow_timeout,
                "state_dir": str(state_dir),
                "invocation_max_bytes": 64 * 1024,
                "alias_poll_interval": alias_poll_interval,
            },
            "LocalBackend": {
                "state_dir": str(state_dir),
                "max_restarts": 1,
                "health_interval": 1.0,
            },
        }
    )


@dataclass
class Reply:
    status: int
    body: Any
    text: str
    headers: Any


def assert_safe(text: str, status: int = 400) -> None:
    """No response carries a secret; no error answer carries a traceback.

    (A deployment's logs and failure message are the serving process's own output, which
    may hold the model's traceback: that is what the user needs to see.)
    """
    for secret in (*SECRETS.values(), BASIC_PASSWORD):
        assert secret not in text, "a secret leaked into a response"
    if status >= 400:
        assert "Traceback" not in text
        assert 'File "' not in text


@pytest.fixture
def api(http_server_client: Any, jp_auth_header: dict[str, str], jp_base_url: str) -> Any:
    """``await api("groups", "team", "models", params=…)`` → Reply; segments are encoded."""

    async def call(
        *segments: str,
        params: dict[str, Any] | None = None,
        method: str = "GET",
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw_path: str | None = None,
        data: str | None = None,
    ) -> Reply:
        path = raw_path or "/".join(quote(s, safe="") for s in segments)
        url = f"{jp_base_url.rstrip('/')}/primehub-models/api/{path}"
        if params:
            url += "?" + urlencode(params, doseq=True)
        all_headers = {**jp_auth_header, "Content-Type": "application/json", **(headers or {})}
        bodiless = method in ("GET", "DELETE", "HEAD")
        payload = json.dumps(body) if body is not None else (None if bodiless else "")
        if data is not None:
            payload = data
        try:
            response = await http_server_client.fetch(
                url, method=method, body=payload, headers=all_headers, request_timeout=60
            )
        except HTTPClientError as err:
            response = err.response
            assert response is not None, err
        text = response.body.decode()
        assert_safe(text, response.code)
        if not path.endswith("/invocations"):  # scoring answers are the scoring server's own
            assert response.headers["Content-Type"].startswith("application/json"), text[:200]
        return Reply(response.code, json.loads(text) if text else None, text, response.headers)

    return call


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@dataclass
class LiveLab:
    """A ``jupyter lab`` in its own process (for schemathesis and the browser)."""

    url: str
    token: str
    root: Path

    @property
    def api(self) -> str:
        return f"{self.url}/primehub-models/api"


@pytest.fixture(scope="session")
def live_lab(
    tmp_path_factory: pytest.TempPathFactory,
    seeded: Any,
    mlflow_uri: str,
    down_uri: str,
    comeback_uri: str,
) -> Iterator[LiveLab]:
    groups = groups_config(mlflow_uri, down_uri, comeback={"tracking_uri": comeback_uri})
    with live_lab_on(tmp_path_factory.mktemp("lab"), groups, "live-" + "3" * 40) as lab:
        yield lab


@contextlib.contextmanager
def live_lab_on(root: Path, groups: dict[str, Any], token: str) -> Iterator[LiveLab]:
    """A ``jupyter lab`` process in ``root`` with these groups (default ``team``); every
    serving process it records is stopped at the end."""
    config = {
        "ServerApp": {"jpserver_extensions": {"jupyter_primehub_models": True}},
        "LocalBackend": {"state_dir": str(root / "state")},
        "PrimeHubModels": {
            "state_dir": str(root / "state"),
            "groups": groups,
            "default_group": "team",
            "mlflow_timeout": 10,
        },
    }
    try:
        with servers.jupyter_server(root, config, token) as url:
            yield LiveLab(url, token, root)
    finally:
        servers.kill_serving_processes(root / "state")


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[str]:
    """One real PostgreSQL server per session (``tests/postgres.py``)."""
    from tests.postgres import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_admin: str) -> str:
    """A database of this test's own on the session's PostgreSQL."""
    from tests.postgres import fresh_database

    return fresh_database(postgres_admin)
