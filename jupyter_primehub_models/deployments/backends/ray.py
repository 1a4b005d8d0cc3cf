"""The ``ray`` backend: each deployment as a Ray Serve application on a Ray cluster.

The application is named by the deployment id and routed at ``<route_prefix>/<id>``; the
group's MLflow env reaches the replicas as the application's runtime env. An update
redeploys the application and Serve rolls it out (new replicas up before old ones go);
stop and delete remove it. The Jupyter server is a Ray driver; every Ray call runs in one
worker thread, each under a timeout, so the event loop never waits on the cluster.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

from traitlets import Dict, Float, Int, Unicode

from ..record import Record
from .base import Observed
from .ownership import Found
from .remote import RemoteBackend

#: Serve's application status → the spec's phases
PHASES = {
    "NOT_STARTED": "Deploying",
    "DEPLOYING": "Deploying",
    "RUNNING": "Deployed",
    "DEPLOY_FAILED": "Failed",
    "UNHEALTHY": "Failed",
    "DELETING": "Stopping",
}
DEPLOYMENT = "model"


class RayBackend(RemoteBackend):
    """``c.RayBackend.*``: which Ray cluster serves the group's deployments, and how."""

    name: ClassVar[str] = "ray"
    log_source: ClassVar[str] = "the replicas"

    address = Unicode("auto", help="The Ray cluster: auto, host:port or ray://host:port.").tag(
        config=True
    )
    namespace = Unicode("primehub-models", help="Ray namespace of the applications.").tag(
        config=True
    )
    route_prefix = Unicode(
        "/primehub-models", help="HTTP route prefix; a deployment answers at <prefix>/<id>."
    ).tag(config=True)
    http_host = Unicode("127.0.0.1", help="Where Serve's HTTP proxy listens.").tag(config=True)
    http_port = Int(8000, help="Serve's HTTP proxy port.").tag(config=True)
    http_url = Unicode(
        "", help="Serve's HTTP address as this server reaches it (empty: from http_host/port)."
    ).tag(config=True)
    num_cpus = Float(1.0, help="CPUs per replica.").tag(config=True)
    memory = Int(0, help="Memory per replica in bytes (0: not reserved).").tag(config=True)
    autoscaling = Dict(
        help="Serve autoscaling_config (min_replicas is the deployment's replicas), e.g. "
        "{'max_replicas': 4, 'target_ongoing_requests': 4}; empty: fixed replicas."
    ).tag(config=True)
    runtime_env = Dict(
        help="Extra runtime env of the applications (e.g. {'pip': ['jupyter-primehub-models']} "
        "for a cluster without this package). The group's MLflow env is added as env_vars."
    ).tag(config=True)
    request_timeout = Float(60.0, help="Seconds one Ray call may take.").tag(config=True)

    @staticmethod
    def reason(err: BaseException) -> str:
        if isinstance(err, TimeoutError):
            return "Ray did not answer in time"
        text = str(err).strip().splitlines()
        return (text[0] if text else type(err).__name__)[:500]

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._connected = False
        self._statuses: dict[str, Any] = {}
        self._statuses_at = 0.0

    # -- Ray calls, one thread -------------------------------------------------------------

    async def _call(self, work: Callable[[], Any]) -> Any:
        def run() -> Any:
            self._connect()
            return work()

        return await self._run(run, self.request_timeout)

    def _connect(self) -> None:
        if self._connected:
            return
        import ray
        from ray import serve

        if not ray.is_initialized():
            ray.init(
                address=self.address, namespace=self.namespace, log_to_driver=False,
                logging_level=logging.WARNING, configure_logging=False,
            )  # fmt: skip
        serve.start(http_options={"host": self.http_host, "port": self.http_port})
        self._connected = True

    def _base_url(self) -> str:
        if self.http_url:
            return self.http_url.rstrip("/")
        host = self.http_host if self.http_host not in ("0.0.0.0", "") else "127.0.0.1"
        return f"http://{host}:{self.http_port}"

    def _route(self, record: Record) -> str:
        return f"{self.route_prefix.rstrip('/')}/{record.id}"

    # -- the interface --------------------------------------------------------------------

    async def adopt(self, records: list[Record]) -> None:
        """Applications under our route prefix, sorted out by the ownership rule: this
        store's that no record wants are deleted; the ones it wants keep running as they
        are (their spec digest says whether they need a redeploy); others are left alone."""
        prefix = self.route_prefix.rstrip("/") + "/"
        try:
            apps = await self._call(_applications)
        except Exception as err:
            self.log.warning("PrimeHub Models: cannot reach Ray: %s", self.reason(err))
            return
        found = [
            Found(name, app.get("store"), app.get("digest"))
            for name, app in apps.items()
            if (app.get("route_prefix") or "").startswith(prefix)
        ]
        adopted = await self._sort_out(found, records, "Serve application")
        for record in records:
            if record.id not in adopted:
                continue
            if adopted[record.id]:
                self._applied[record.id] = str(adopted[record.id])  # unchanged: not redeployed
            if apps[record.id]["status"] == "RUNNING":
                self._observed[record.id] = Observed(
                    "Deployed", "", self._base_url() + self._route(record),
                    runtime={"app": record.id, "route": self._route(record),
                             "address": _host(self.address)},
                )  # fmt: skip

    async def _delete_orphan(self, name: str) -> None:
        await self._call(lambda: _delete(name))

    async def apply(self, record: Record, env: Mapping[str, str]) -> None:
        model_uri = str(record.serving)
        actor: dict[str, Any] = {
            "num_cpus": self.num_cpus,
            "runtime_env": {**self.runtime_env, "env_vars": dict(env)},
        }
        if self.memory:
            actor["memory"] = self.memory
        digest = hashlib.sha256(
            json.dumps([model_uri, record.replicas, actor, self.autoscaling],
                       sort_keys=True).encode()
        ).hexdigest()[:32]  # fmt: skip
        marks = {"store": self.store_id, "digest": digest}
        try:
            if self._applied.get(record.id) != digest:
                route = self._route(record)
                autoscaling = dict(self.autoscaling)

                def deploy() -> None:
                    from ray import serve

                    from .ray_app import build

                    app = build(model_uri, record.replicas, actor, autoscaling or None, marks)
                    serve._run(app, _blocking=False, name=record.id, route_prefix=route)

                await self._call(deploy)
                self._applied[record.id] = digest
            await self._observe(record)
        except (ValueError, TypeError) as err:  # Serve refused the application itself
            self._observed[record.id] = Observed("Failed", self.reason(err))
        except Exception as err:  # the cluster could not be asked (or a bug of ours)
            self._failed(record, err)

    async def stop(self, record: Record) -> None:
        await self._remove(record)
        self._observed[record.id] = Observed(
            "Stopped" if record.id not in self._statuses else "Stopping"
        )

    async def delete(self, record: Record) -> None:
        await self._remove(record)
        self.forget(record)

    def _read_logs(self, record: Record, tail: int) -> list[str]:
        from ray.util.state import get_log, list_actors

        self._connect()
        lines: list[str] = []
        actors = list_actors(
            filters=[("class_name", "=", f"ServeReplica:{record.id}:{DEPLOYMENT}"),
                     ("state", "=", "ALIVE")],
        )  # fmt: skip
        for actor in actors:
            for chunk in get_log(actor_id=actor.actor_id, tail=tail):
                lines += [f"[{actor.actor_id[:8]}] {x}" for x in chunk.splitlines()]
        return lines[-tail:] if tail else []

    def _disconnect(self) -> None:
        """Disconnect from Ray; the applications keep running (adopted on restart)."""
        import ray

        if self._connected and ray.is_initialized():
            ray.shutdown()
        self._connected = False

    # -- helpers --------------------------------------------------------------------------

    async def _statuses_now(self) -> dict[str, Any]:
        """Serve's applications, read at most once per half second for all records."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._statuses_at > 0.5:
            self._statuses = await self._call(_applications)
            self._statuses_at = loop.time()
        return self._statuses

    async def _observe(self, record: Record) -> None:
        app = (await self._statuses_now()).get(record.id)
        if app is None:
            self._applied.pop(record.id, None)  # gone behind our back: deploy again
            self._observed[record.id] = Observed("Deploying", "waiting for Ray Serve")
            return
        phase = PHASES.get(app["status"], "Deploying")
        message = app.get("message") or ""
        endpoint = self._base_url() + self._route(record)
        before = self._observed.get(record.id)
        if phase == "Deploying" and before is not None and before.endpoint:
            # Serve's rolling update: the old replicas answer until the new ones are up
            phase = "Deployed"
            message = f"rolling out {record.model_uri} (version {record.served_version})"
        runtime = {"app": record.id, "route": self._route(record), "address": _host(self.address)}
        self._observed[record.id] = Observed(
            phase, message, endpoint if phase == "Deployed" else None, runtime=runtime
        )

    async def _remove(self, record: Record) -> None:
        self._applied.pop(record.id, None)
        try:
            await self._call(lambda: _delete(record.id))
            self._statuses_at = 0.0
            await self._statuses_now()
        except Exception as err:
            self._observed[record.id] = Observed("Stopping", self.reason(err))


def _applications() -> dict[str, Any]:
    """Serve's applications: name → status, message (its own or a deployment's), route,
    and the marks our deployments carry in their user_config (store, digest)."""
    from ray.serve.context import _get_global_client

    details = _get_global_client().get_serve_details()
    out: dict[str, Any] = {}
    for name, app in (details.get("applications") or {}).items():
        details = []
        marks: dict[str, Any] = {}
        for deployment in (app.get("deployments") or {}).values():
            config = (deployment.get("deployment_config") or {}).get("user_config")
            if isinstance(config, dict):
                marks = config
            state = str(getattr(deployment.get("status"), "value", deployment.get("status")))
            if deployment.get("message") and not state.endswith("HEALTHY"):
                details.append(deployment["message"])  # the replicas' own error, if any
        message = "\n".join([*details, app.get("message") or ""]).strip()
        status = app.get("status") or "NOT_STARTED"
        out[name] = {
            "status": str(getattr(status, "value", status)).rsplit(".", 1)[-1],
            "message": message[-2000:],
            "route_prefix": app.get("route_prefix"),
            "store": marks.get("store") or None,
            "digest": marks.get("digest") or None,
        }
    return out


def _delete(name: str) -> None:
    from ray import serve

    serve.delete(name, _blocking=False)


def _host(address: str) -> str:
    return urlsplit(address).netloc if "://" in address else address
