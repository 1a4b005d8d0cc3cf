"""The ``ray`` backend: each deployment as a Ray Serve application on a Ray cluster.

The application is named by the deployment id and routed at ``<route_prefix>/<id>``; the
group's MLflow env reaches the replicas as the application's runtime env. It is a router
in front of one Serve deployment per version of the traffic split (``ray_app.py``). A
change of what serves goes in steps, each applied once Serve runs the one before, so no
request meets a version that is not up: a new version joins at weight 0; once it runs,
the router takes the new weights (a reconfigure: nothing restarts); then the versions at
weight 0 leave. A version that cannot start is taken out again, the others serving as
before. Stop and delete remove the application. The Jupyter server is a Ray driver; every
Ray call runs in one worker thread, each under a timeout, so the event loop never waits
on the cluster.
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
from .ray_app import MODEL_PREFIX, ROUTER, model_name
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
#: Serve's deployment states that mean a version will not come up
BROKEN = ("UNHEALTHY", "DEPLOY_FAILED")
#: seconds between looks while a change goes through its steps
STEP = 1.0


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
        #: deployment id → (record revision, versions that would not start, why)
        self._failed_versions: dict[str, tuple[int, list[str], str]] = {}
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
        actor: dict[str, Any] = {
            "num_cpus": self.num_cpus,
            "runtime_env": {**self.runtime_env, "env_vars": dict(env)},
        }
        if self.memory:
            actor["memory"] = self.memory
        wanted = {s.version or "0": str(s.serving) for s in record.shares}
        weights = {model_name(s.version or "0"): s.weight for s in record.shares}
        try:
            app = (await self._statuses_now()).get(record.id)
            models, weights, step = self._next_step(record, app, wanted, weights)
            digest = hashlib.sha256(
                json.dumps([models, weights, record.replicas, actor, self.autoscaling],
                           sort_keys=True).encode()
            ).hexdigest()[:32]  # fmt: skip
            if self._applied.get(record.id) != digest:
                await self._deploy(record, models, weights, actor, digest)
            if step:  # more steps to go: look again soon (not only at the next resync)
                asyncio.get_running_loop().call_later(STEP, self.changed.set)
            await self._observe(record)
        except (ValueError, TypeError) as err:  # Serve refused the application itself
            self._observed[record.id] = Observed("Failed", self.reason(err))
        except Exception as err:  # the cluster could not be asked (or a bug of ours)
            self._failed(record, err)

    def _next_step(
        self, record: Record, app: dict[str, Any] | None, wanted: dict[str, str],
        weights: dict[str, int],
    ) -> tuple[dict[str, str], dict[str, int], bool]:  # fmt: skip
        """What to deploy now towards ``wanted`` (version → model URI) at ``weights``
        (deployment name → percent): (versions, weights, whether more steps follow)."""
        models = dict(app.get("models") or {}) if app else {}
        if not models or app is None or app.get("store") != self.store_id:
            return wanted, weights, False  # nothing of ours serves yet: all of it at once
        now = {m["version"]: m["model_uri"] for m in models.values()}
        state = {m["version"]: m["state"] for m in models.values()}
        now_weights = {name: int(w) for name, w in dict(app.get("weights") or {}).items()}
        kept = {model_name(v): now_weights.get(model_name(v), 0) for v in now}
        failed = self._failed_versions.get(record.id)
        if failed is not None and failed[0] == record.revision:
            return now, kept, False  # (tried, and it would not start: until the record changes)
        new = {v: uri for v, uri in wanted.items() if now.get(v) != uri}
        if new:  # 1: the new versions join at weight 0
            return {**now, **new}, {**kept, **{model_name(v): 0 for v in new}}, True
        broken = sorted(v for v in wanted if state.get(v) in BROKEN)
        serving = [v for v in now if v not in broken and state.get(v) == "HEALTHY"]
        if broken and serving:  # a version that cannot start leaves; the others serve on
            message = "; ".join(models[model_name(v)]["message"] for v in broken)
            self._failed_versions[record.id] = (record.revision, broken, message)
            left = {v: uri for v, uri in now.items() if v not in broken}
            return left, {model_name(v): kept[model_name(v)] for v in left}, False
        if any(state.get(v) != "HEALTHY" for v in wanted) or app.get("router") != "HEALTHY":
            return now, kept, True  # 2 waits until they run (and the router with them)
        target = {model_name(v): weights.get(model_name(v), 0) for v in now}
        if kept != target:  # 2: the router takes the new weights
            return now, target, True
        return wanted, weights, False  # 3: the versions at weight 0 leave (if any)

    async def _deploy(self, record: Record, models: dict[str, str], weights: dict[str, int],
                      actor: dict[str, Any], digest: str) -> None:  # fmt: skip
        route = self._route(record)
        autoscaling = dict(self.autoscaling)
        marks = {"store": self.store_id, "digest": digest}
        replicas = record.replicas

        def deploy() -> None:
            from ray import serve

            from .ray_app import build

            app = build(models, weights, replicas, actor, autoscaling or None, marks)
            serve._run(app, _blocking=False, name=record.id, route_prefix=route)

        await self._call(deploy)
        self._applied[record.id] = digest
        self._statuses_at = 0.0  # what Serve says next is about this deploy

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
        # each version's replicas: their class names hold the app and the deployment
        mine = f"ServeReplica:{record.id}:{MODEL_PREFIX}"
        actors = [
            a for a in list_actors(filters=[("state", "=", "ALIVE")], limit=10000)
            if str(a.class_name or "").startswith(mine)
        ]  # fmt: skip
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
        healthy = [m for m in (app.get("models") or {}).values() if m["state"] == "HEALTHY"]
        before = self._observed.get(record.id)
        failed_update = None
        failed = self._failed_versions.get(record.id)
        if failed is not None and failed[0] == record.revision and healthy:
            # a version that would not start: the others serve as they did
            tried = ", ".join(str(s.serving) for s in record.shares if s.version in failed[1])
            still = ", ".join(m["model_uri"] for m in healthy)
            phase, failed_update = "Deployed", tried
            message = f"Update to {tried} failed; still serving {still}: {failed[2]}"
        elif (
            phase in ("Deploying", "Failed")
            and healthy
            and before is not None
            and (before.endpoint)
        ):  # a change on its way: what ran answers until it is through (Serve rolls the
            # router, and a new version joins at weight 0)
            phase = "Deployed"
            message = f"rolling out {record.model_uri} (version {record.served_version})"
        runtime = {"app": record.id, "route": self._route(record), "address": _host(self.address)}
        self._observed[record.id] = Observed(
            phase, message, endpoint if phase == "Deployed" else None, runtime=runtime,
            failed_update=failed_update,
        )  # fmt: skip

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
    the marks our applications carry in their router's user_config (store, digest,
    weights), the router's state, and each version's deployment (model URI, state, why)."""
    from ray.serve.context import _get_global_client

    details = _get_global_client().get_serve_details()
    out: dict[str, Any] = {}
    for name, app in (details.get("applications") or {}).items():
        said = []
        marks: dict[str, Any] = {}
        models: dict[str, dict[str, str]] = {}
        router = None
        for label, deployment in (app.get("deployments") or {}).items():
            config = (deployment.get("deployment_config") or {}).get("user_config")
            config = config if isinstance(config, dict) else {}
            state = _name(deployment.get("status"))
            text = str(deployment.get("message") or "")
            if text and not state.endswith("HEALTHY"):
                said.append(text)  # the replicas' own error, if any
            if label == ROUTER:
                marks, router = config, state
            elif label.startswith(MODEL_PREFIX):
                models[label] = {"version": label.removeprefix(MODEL_PREFIX), "state": state,
                                 "model_uri": str(config.get("model_uri") or ""),
                                 "message": text[-1000:]}  # fmt: skip
                marks = marks or {"store": config.get("store")}
        message = "\n".join([*said, app.get("message") or ""]).strip()
        out[name] = {
            "status": _name(app.get("status") or "NOT_STARTED"),
            "message": message[-2000:],
            "route_prefix": app.get("route_prefix"),
            "store": marks.get("store") or None,
            "digest": marks.get("digest") or None,
            "weights": dict(marks.get("weights") or {}),
            "router": router,
            "models": models,
        }
    return out


def _name(status: Any) -> str:
    """A Serve status (an enum, or its text) as its bare name: ``HEALTHY``."""
    return str(getattr(status, "value", status)).rsplit(".", 1)[-1]


def _delete(name: str) -> None:
    from ray import serve

    serve.delete(name, _blocking=False)


def _host(address: str) -> str:
    return urlsplit(address).netloc if "://" in address else address
