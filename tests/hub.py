"""A real JupyterHub for the team-mode tests: loopback only, in a temp dir, with
``DummyAuthenticator`` (a password), groups ``team-a`` (user-a1, user-a2) and ``team-b``
(user-b1), ``SimpleLocalProcessSpawner`` spawning real single-user servers with this
extension, and this extension's hub service (managed: the hub starts and restarts it),
all on one PostgreSQL store. The hub, its proxy, the servers and the service are stopped
when the block ends."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests import servers

PASSWORD = "hub-pw-2b7e-never-shown"
SERVICE = "primehub-models"
GROUPS = {"team-a": {"users": ["user-a1", "user-a2"]}, "team-b": {"users": ["user-b1"]}}


@dataclass
class Hub:
    url: str
    admin_token: str
    root: Path

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, f"{self.url}/hub/api/{path}", timeout=60, trust_env=False,
                             headers={"Authorization": f"token {self.admin_token}"},
                             **kwargs)  # fmt: skip

    def token(self, user: str) -> str:
        """An API token of ``user`` with all of the user's permissions."""
        r = self.admin("POST", f"users/{user}/tokens", json={"scopes": ["inherit"],
                                                             "note": "tests"})  # fmt: skip
        r.raise_for_status()
        return str(r.json()["token"])

    def start_server(self, user: str, within: float = 180) -> None:
        r = self.admin("POST", f"users/{user}/server")
        assert r.status_code in (201, 202, 400), r.text  # 400: already running
        self._until(user, lambda model: (model.get("servers") or {}).get("", {}).get("ready"),
                    within, "the server ready")  # fmt: skip

    def stop_server(self, user: str, within: float = 60) -> None:
        r = self.admin("DELETE", f"users/{user}/server")
        assert r.status_code in (202, 204), r.text
        self._until(user, lambda model: not (model.get("servers") or {}), within,
                    "the server stopped")  # fmt: skip

    def _until(self, user: str, ok: Any, within: float, what: str) -> None:
        deadline = time.monotonic() + within
        while True:
            model = self.admin("GET", f"users/{user}").json()
            if ok(model):
                return
            assert time.monotonic() < deadline, f"{user}: {what}: not within {within} s"
            time.sleep(0.5)  # (polling the hub's state: it offers no event to wait on)

    def service_pid(self) -> int | None:
        """The running service's pid (its command line says what it is)."""
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                    if b"jupyter_primehub_models" in cmdline and b"service" in cmdline:
                        stat = (entry / "stat").read_bytes().rsplit(b") ", 1)[1]
                        if stat[:1] != b"Z":
                            return int(entry.name)
        return None

    def service_ready(self) -> bool:
        """The service answers through the hub's proxy."""
        try:
            r = httpx.get(f"{self.url}/services/{SERVICE}/api/status", timeout=10,
                          headers={"Authorization": f"token {self.admin_token}"},
                          trust_env=False)  # fmt: skip
        except httpx.HTTPError:
            return False
        return r.status_code == 200

    def wait_for_service(self, within: float = 120) -> int:
        deadline = time.monotonic() + within
        while not (self.service_ready() and self.service_pid()):
            assert time.monotonic() < deadline, f"the service: not ready within {within} s"
            time.sleep(0.5)  # (another process's state: no event to wait on)
        pid = self.service_pid()
        assert pid is not None
        return pid


def _config(root: Path, ports: dict[str, int], token: str, service_config: Path,
            user_config: Path) -> str:  # fmt: skip
    bin_dir = Path(sys.executable).parent
    return f"""
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {ports["hub"]}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {ports["internal"]}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports["proxy_api"]}"
c.ConfigurableHTTPProxy.pid_file = {str(root / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{root / "jupyterhub.sqlite"}"
c.JupyterHub.cookie_secret_file = {str(root / "cookie_secret")!r}
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allow_all = True
c.JupyterHub.load_groups = {json.dumps(GROUPS)}
c.JupyterHub.spawner_class = "simple"
c.Spawner.cmd = [{str(bin_dir / "jupyterhub-singleuser")!r}]
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--allow-root"]  # (the tests may run as root; the spawned servers too)
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.environment = {{"JUPYTER_CONFIG_DIR": {str(user_config)!r}}}
c.SimpleLocalProcessSpawner.home_dir_template = {str(root / "home" / "{username}")!r}
c.JupyterHub.services = [
    {{
        "name": {SERVICE!r},
        "url": "http://127.0.0.1:{ports["service"]}",
        "command": [{sys.executable!r}, "-m", "jupyter_primehub_models", "service",
                    "--ServerApp.allow_root=True"],
        "environment": {{"JUPYTER_CONFIG_DIR": {str(service_config)!r}}},
        "oauth_no_confirm": True,
    }},
    {{"name": "tests", "api_token": {token!r}}},
]
c.JupyterHub.load_roles = [
    {{"name": "team-models", "groups": {list(GROUPS)!r},
      "scopes": ["access:services!service={SERVICE}"]}},
    {{"name": "tests", "services": ["tests"],
      "scopes": ["admin:users", "admin:servers", "tokens", "read:users", "access:servers",
                 "access:services"]}},
]
"""


def _server_config(path: Path, settings: dict[str, Any]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "jupyter_server_config.json").write_text(json.dumps(settings))
    quiet = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
    (path / "labconfig").mkdir(exist_ok=True)
    (path / "labconfig" / "page_config.json").write_text(json.dumps(quiet))
    return path


@contextlib.contextmanager
def jupyterhub(root: Path, groups: dict[str, Any], db_url: str) -> Iterator[Hub]:
    """The hub with its managed service; ``groups`` is ``c.PrimeHubModels.groups``."""
    if shutil.which("configurable-http-proxy") is None:
        raise RuntimeError("configurable-http-proxy is not installed (npm install -g …)")
    ports = {k: servers.free_port() for k in ("hub", "internal", "proxy_api", "service")}
    token = secrets.token_hex(24)
    common = {"groups": groups, "db_url": db_url, "lease_ttl": 6.0}
    service_config = _server_config(root / "service-config", {
        "PrimeHubModels": common,
        "LocalBackend": {"state_dir": str(root / "serving"), "health_interval": 1.0},
    })  # fmt: skip
    user_config = _server_config(root / "user-config", {
        "PrimeHubModels": {**common, "team_service_url": f"/services/{SERVICE}/"},
        "LabApp": {"news_url": "", "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                   "expose_app_in_browser": True},
    })  # fmt: skip
    config = root / "jupyterhub_config.py"
    config.write_text(_config(root, ports, token, service_config, user_config))
    log = root / "jupyterhub.log"
    with log.open("wb") as out:
        proc = servers.subprocess.Popen(
            [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(config)],
            stdout=out, stderr=servers.subprocess.STDOUT, cwd=root, start_new_session=True,
            env=servers.child_env(),
        )  # fmt: skip
    url = f"http://127.0.0.1:{ports['hub']}"
    try:
        servers.wait_http(f"{url}/hub/api/", proc, 120, log)
        hub = Hub(url, token, root)
        hub.wait_for_service()
        yield hub
    finally:
        servers.stop(proc, grace=30)
        # a hub that died on its own leaves its proxy (a session of its own) behind
        pid_file = root / "proxy.pid"
        if pid_file.exists():
            with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
