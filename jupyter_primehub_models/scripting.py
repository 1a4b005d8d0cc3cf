"""Plain Python access for notebooks and scripts, on the same services as the server.

Calls run on one background event loop (never the kernel's own), each with a timeout.
A kernel never runs serving processes: it writes deployments to the store it shares
with the Jupyter server, whose reconciler serves them.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import threading
import time
from typing import Any

from .config import PrimeHubModels, load_jupyter_config
from .display import Table
from .errors import ApiError, InvalidArgument
from .lineage import current_notebook
from .membership import viewing
from .model_uri import ModelUri
from .models import (
    Deployment,
    GroupList,
    ModelsQuery,
    ModelVersion,
    RegisteredModel,
    Status,
    VersionDetail,
    VersionSignature,
    VersionsQuery,
    parse_as,
)
from .services import Services, build_services

CALL_TIMEOUT = 120.0


class _Runner:
    """A daemon thread with an event loop that owns the services."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._services: Services | None = None
        self._lock = threading.Lock()
        self.settings: PrimeHubModels | None = None

    def configure(self, settings: PrimeHubModels | None = None) -> None:
        with self._lock:
            self.settings = settings
            self._services = None

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(
                    target=self._loop.run_forever, name="primehub-models", daemon=True
                ).start()
            return self._loop

    def services(self) -> Services:
        if self._services is None:
            settings = self.settings or PrimeHubModels(config=load_jupyter_config())
            self._services = build_services(settings)
        return self._services

    def run(self, make: Any, timeout: float = CALL_TIMEOUT) -> Any:
        """Run ``make(services)`` (a coroutine) on the background loop and wait for it."""
        loop = self._ensure_loop()

        async def call() -> Any:
            services = self.services()
            # a kernel's calls see what its server's owner may see (membership.py)
            membership = services.membership
            groups = await membership.owner_groups() if membership.enabled else None
            with viewing(groups, membership.owner or getpass.getuser()):
                return await make(services)

        return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout)


_runner = _Runner()


def configure(**settings: Any) -> None:
    """Use these ``PrimeHubModels`` settings instead of the Jupyter config files."""
    from traitlets.config import Config

    _runner.configure(PrimeHubModels(config=Config({"PrimeHubModels": settings})))


def _group(group: str | None) -> str:
    if group:
        return group
    default = _runner.run(_default_group)
    if default is None:
        raise InvalidArgument("No group is configured")
    return default


async def _default_group(services: Services) -> str | None:
    return services.registry.list_groups().default  # (of the groups this kernel may see)


# -- registry ---------------------------------------------------------------------------------


def list_groups() -> GroupList:
    """The groups this kernel can use (the same configuration as the Jupyter server)."""
    return _runner.run(_groups)


async def _groups(services: Services) -> GroupList:
    return services.registry.list_groups()


def status(*, group: str | None = None) -> Status:
    """Whether the group's MLflow is configured and answering (never raises for either)."""
    g = _group(group)
    return _runner.run(lambda s: s.registry.status(g))


def list_models(
    search: str | None = None, *, group: str | None = None, max_results: int = 100
) -> Table[RegisteredModel]:
    """The group's registered models whose name contains ``search``."""
    return Table(list_models_page(search, group=group, max_results=max_results)[0])


def list_models_page(
    search: str | None = None,
    *,
    group: str | None = None,
    max_results: int = 100,
    page_token: str | None = None,
) -> tuple[Table[RegisteredModel], str | None]:
    """One page of models and the token of the next page (None at the end)."""
    query = parse_as(
        ModelsQuery,
        {"search": search or None, "max_results": max_results, "page_token": page_token},
        "The arguments",
    )
    g = _group(group)
    page = _runner.run(lambda s: s.registry.list_models(g, query))
    return Table(page.models), page.next_page_token


def list_versions(
    name: str, *, group: str | None = None, max_results: int = 100, run_data: bool = False
) -> Table[ModelVersion]:
    """A model's versions, newest first (with run parameters and metrics if asked)."""
    query = parse_as(
        VersionsQuery, {"max_results": max_results, "run_data": run_data}, "The arguments"
    )
    g = _group(group)
    page = _runner.run(lambda s: s.registry.list_versions(g, name, query))
    return Table(page.versions)


def get_version(name: str, version: str | int, *, group: str | None = None) -> VersionDetail:
    """One version: run, parameters, metrics, tags, logged model, source notebook."""
    g = _group(group)
    return _runner.run(lambda s: s.registry.get_version(g, name, str(version)))


def get_signature(name: str, version: str | int, *, group: str | None = None) -> VersionSignature:
    """The version's signature and an input example ready for ``predict``."""
    g = _group(group)
    return _runner.run(lambda s: s.registry.get_signature(g, name, str(version)))


def default_run_id() -> str | None:
    """The active MLflow run of this process, else the last one it ran."""
    import mlflow

    run = mlflow.active_run() or mlflow.last_active_run()
    return run.info.run_id if run is not None else None


def versions_for_run(run_id: str | None = None, *, group: str | None = None) -> Table[ModelVersion]:
    """The versions registered from a run's models (default: this notebook's last run)."""
    run_id = run_id or default_run_id()
    if not run_id:
        raise InvalidArgument("No run_id given and no MLflow run in this kernel yet")
    g = _group(group)
    return Table(_runner.run(lambda s: s.registry.versions_from_runs(g, [run_id])))


def versions_for_notebook(
    path: str | None = None, *, group: str | None = None
) -> Table[ModelVersion]:
    """The versions registered from runs of a notebook (default: this one), newest first."""
    path = path or current_notebook()
    if not path:
        raise InvalidArgument(
            "No notebook path given, and this kernel was not started for a notebook"
        )
    g = _group(group)
    return Table(_runner.run(lambda s: s.registry.versions_from_notebook(g, path)))


# -- deployments ------------------------------------------------------------------------------


def deploy(
    model_uri: str,
    *,
    name: str | None = None,
    group: str | None = None,
    replicas: int = 1,
    description: str = "",
    env: dict[str, str] | None = None,
    access: str = "private",
) -> Deployment:
    """Deploy ``models:/<name>/<version>`` (or ``@alias``); the Jupyter server serves it."""
    uri = ModelUri.parse(model_uri)
    g = _group(group)
    body = {
        "name": name if name is not None else default_name(uri),
        "model_uri": str(uri),
        "replicas": replicas,
        "description": description,
        "env": [{"name": k, "value": v} for k, v in (env or {}).items()],
        "access": access,
    }
    return _runner.run(lambda s: s.deployments.create(g, body))


def default_name(uri: ModelUri) -> str:
    """A deployment's name when none is given: ``iris v3``, ``iris champion``."""
    return f"{uri.name} v{uri.version}" if uri.version else f"{uri.name} {uri.alias}"


def list_deployments(*, group: str | None = None) -> Table[Deployment]:
    """The group's deployments (every member sees and manages them)."""
    g = _group(group)
    return Table(_runner.run(lambda s: s.deployments.list(g)).deployments)


def get_deployment(deployment_id: str, *, group: str | None = None) -> Deployment:
    g = _group(group)
    return _runner.run(lambda s: s.deployments.get(g, deployment_id))


def update_deployment(
    deployment_id: str, *, group: str | None = None, **changes: Any
) -> Deployment:
    """Change a deployment (``model_uri=`` swaps versions without downtime)."""
    g = _group(group)
    if "env" in changes and isinstance(changes["env"], dict):
        changes["env"] = [{"name": k, "value": v} for k, v in changes["env"].items()]
    return _runner.run(lambda s: s.deployments.update(g, deployment_id, changes))


def stop_deployment(deployment_id: str, *, group: str | None = None) -> Deployment:
    g = _group(group)
    return _runner.run(lambda s: s.deployments.stop(g, deployment_id))


def start_deployment(deployment_id: str, *, group: str | None = None) -> Deployment:
    g = _group(group)
    return _runner.run(lambda s: s.deployments.start(g, deployment_id))


def delete_deployment(deployment_id: str, *, group: str | None = None) -> Deployment:
    g = _group(group)
    return _runner.run(lambda s: s.deployments.delete(g, deployment_id))


def wait_until_deployed(
    deployment_id: str, *, group: str | None = None, timeout: float = 300
) -> Deployment:
    """Block until the deployment is Deployed; raise if it Failed or time ran out."""
    deadline = time.monotonic() + timeout
    while True:
        d = get_deployment(deployment_id, group=group)
        if d.phase == "Deployed" and d.endpoint and not d.message:
            return d
        if d.phase == "Failed":
            raise ApiError(f"Deployment {deployment_id} failed: {d.message}", status=409)
        if time.monotonic() > deadline:
            raise TimeoutError(f"Deployment {deployment_id} is still {d.phase}")
        time.sleep(0.5)


def predict(deployment_id: str, data: Any, *, group: str | None = None) -> Any:
    """Score with a deployment: ``data`` is a pandas DataFrame, a list of rows or inputs,
    or an MLflow scoring payload (``{"dataframe_split": …}``, ``{"inputs": …}``, …).

    It goes to the deployment's serving processes the way the server's proxy does (on
    this host, their private sockets); the scoring server's own error is raised."""
    g = _group(group)
    body = json.dumps(_payload(data)).encode()
    answer = _runner.run(lambda s: s.deployments.score(g, deployment_id, body, "application/json"))
    try:
        result = json.loads(answer.body or b"null")
    except ValueError:
        result = (answer.body or b"").decode(errors="replace")
    if answer.status >= 400:
        message = result.get("message", result) if isinstance(result, dict) else result
        raise ApiError(f"Deployment {deployment_id} answered {answer.status}: {message}",
                       status=answer.status)  # fmt: skip
    return result.get("predictions", result) if isinstance(result, dict) else result


def _payload(data: Any) -> dict[str, Any]:
    if isinstance(data, dict) and data.keys() & {
        "dataframe_split", "dataframe_records", "instances", "inputs"
    }:  # fmt: skip
        return data
    if hasattr(data, "to_dict") and hasattr(data, "columns"):  # a pandas DataFrame
        split = json.loads(data.to_json(orient="split", index=False))
        return {"dataframe_split": split}
    return {"inputs": data}
