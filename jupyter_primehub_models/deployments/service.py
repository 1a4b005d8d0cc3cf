"""Deployments: validation, desired state, history, alias resolution, the Deployed By join.

The REST handlers and the widgets both call this; neither touches the store directly.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import aiohttp
from pydantic import ValidationError

from ..config import GroupConfig, is_secret_name, strip_userinfo
from ..errors import InvalidArgument, NotFound
from ..models import (
    Deployment,
    DeploymentCreate,
    DeploymentList,
    DeploymentPatch,
    LogLines,
)
from ..registry import RegistryService
from .backends.base import Backend
from .store import Record, Store, now_ms

MASK = "********"
SCORING_TIMEOUT = aiohttp.ClientTimeout(total=300, sock_connect=10)
MODEL_URI = re.compile(
    r"^models:/(?P<name>[^/]+?)(?:/(?P<version>[1-9][0-9]{0,9})|(?P<alias>@[\w-]+))$"
)
SLUG_CHARS = string.ascii_lowercase + string.digits


def parse_model_uri(uri: str) -> tuple[str, str]:
    """``models:/name/3`` → (name, "3"); ``models:/name@champion`` → (name, "@champion")."""
    match = MODEL_URI.match(uri.strip())
    if match is None:
        raise InvalidArgument(
            f"model_uri {uri[:200]!r} is not models:/<name>/<version> or models:/<name>@<alias>",
            field="model_uri",
        )
    return match["name"], match["version"] or match["alias"]


def new_id(name: str) -> str:
    """A DNS-1123 label (≤ 63 chars, starts with a letter): the name plus a random suffix."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50].strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"d-{slug}".rstrip("-")
    return f"{slug}-{''.join(secrets.choice(SLUG_CHARS) for _ in range(6))}"


def _validated(model: type[Any], body: Any) -> Any:
    if not isinstance(body, dict):
        raise InvalidArgument("The request body must be a JSON object")
    try:
        return model.model_validate(body)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        field = str(first["loc"][0]) if first["loc"] else None
        raise InvalidArgument(f"{where}: {first['msg']}", field=field) from None


def process_env(group: GroupConfig | None, record: Record) -> dict[str, str]:
    """The serving process's environment: the group's MLflow binding, then the record's."""
    env: dict[str, str] = {}
    if group is not None and group.tracking_uri:
        env.update(group.env)
        parts = urlsplit(group.tracking_uri)
        if parts.username and "MLFLOW_TRACKING_USERNAME" not in env:
            env["MLFLOW_TRACKING_USERNAME"] = unquote(parts.username)
            env["MLFLOW_TRACKING_PASSWORD"] = unquote(parts.password or "")
        env["MLFLOW_TRACKING_URI"] = strip_userinfo(group.tracking_uri)
        env.setdefault("MLFLOW_REGISTRY_URI", env["MLFLOW_TRACKING_URI"])
    env.update({e["name"]: e["value"] for e in record.env})
    return env


class DeploymentService:
    def __init__(
        self,
        store: Store,
        registry: RegistryService,
        backend: Backend,
        on_change: Callable[[], None] = lambda: None,
    ):
        self.store = store
        self.registry = registry
        self.backend = backend
        self.on_change = on_change
        self._scoring: aiohttp.ClientSession | None = None
        #: Records as last read or written here; the reconciler refreshes it every pass,
        #: so the scoring path needs no store read per request.
        self._cache: dict[str, Record] = {}

    def remember(self, records: list[Record]) -> None:
        """Called by the reconciler with every record it read."""
        self._cache = {r.id: r for r in records}

    async def serving_record(self, group: str, deployment_id: str) -> Record:
        """The record for scoring: from memory when known (≤ one reconcile pass old)."""
        record = self._cache.get(deployment_id)
        if record is None or record.grp != group or record.desired == "deleted":
            record = await self.record(group, deployment_id)
        return record

    def scoring_session(self) -> aiohttp.ClientSession:
        """The pooled client the scoring proxy sends requests with."""
        if self._scoring is None or self._scoring.closed:
            self._scoring = aiohttp.ClientSession(
                timeout=SCORING_TIMEOUT, connector=aiohttp.TCPConnector(limit=256)
            )
        return self._scoring

    async def aclose(self) -> None:
        if self._scoring is not None:
            await self._scoring.close()

    # -- reads -----------------------------------------------------------------------------

    async def list(self, group: str) -> DeploymentList:
        self.registry.group(group)
        return DeploymentList(deployments=[self.view(r) for r in await self.store.list(group)])

    async def get(self, group: str, deployment_id: str) -> Deployment:
        return self.view(await self.record(group, deployment_id))

    async def record(self, group: str, deployment_id: str) -> Record:
        self.registry.group(group)
        try:
            record = await self.store.get(deployment_id)
        except NotFound:
            record = None
        if record is None or record.grp != group or record.desired == "deleted":
            raise NotFound(f"No deployment {deployment_id!r} in group {group!r}")
        return record

    async def logs(self, group: str, deployment_id: str, tail: int = 200) -> LogLines:
        if not 0 <= tail <= 10000:
            raise InvalidArgument("tail must be between 0 and 10000")
        record = await self.record(group, deployment_id)
        lines = await self.backend.logs(record, tail)
        secrets_ = self._secret_values(record)
        return LogLines(lines=[_mask(line, secrets_) for line in lines])

    async def deployments_of(self, group: str, model: str) -> list[tuple[str, ...]]:
        """The registry's ``DeploymentIndex``: one store query for a whole page."""
        return await self.store.for_model(group, model)

    # -- writes ----------------------------------------------------------------------------

    async def create(self, group: str, body: Any) -> Deployment:
        spec = _validated(DeploymentCreate, body)
        name = _check_name(spec.name)
        model_name, ref = parse_model_uri(spec.model_uri)
        version = await self.registry.resolve(group, model_name, ref)
        at = now_ms()
        record = Record(
            id=new_id(name),
            grp=group,
            name=name,
            description=spec.description,
            model_uri=spec.model_uri.strip(),
            model_name=model_name,
            served_version=version,
            replicas=spec.replicas,
            env=[e.model_dump() for e in spec.env],
            access=spec.access,
            desired="running",
            phase="Deploying",
            backend=self.backend.name,
            created_at=at,
            updated_at=at,
            revision=1,
            history=[{"model_uri": spec.model_uri.strip(), "version": version, "at": at}],
        )
        await self.store.insert(record)
        return self._changed(record)

    async def update(self, group: str, deployment_id: str, body: Any) -> Deployment:
        patch = _validated(DeploymentPatch, body)
        record = await self.record(group, deployment_id)
        changes: dict[str, Any] = {}
        if patch.name is not None:
            changes["name"] = _check_name(patch.name)
        for field in ("description", "replicas", "access"):
            value = getattr(patch, field)
            if value is not None:
                changes[field] = value
        if patch.env is not None:
            stored = {e["name"]: e["value"] for e in record.env}
            changes["env"] = [
                {"name": e.name, "value": stored.get(e.name, "") if e.value == MASK else e.value}
                for e in patch.env
            ]
        if patch.model_uri is not None:
            changes.update(await self._retarget(group, record, patch.model_uri.strip()))
        return self._changed(await self.store.update(record.id, patch.revision, **changes))

    async def stop(self, group: str, deployment_id: str) -> Deployment:
        record = await self.record(group, deployment_id)
        return self._changed(
            await self.store.update(record.id, None, desired="stopped", phase="Stopping")
        )

    async def start(self, group: str, deployment_id: str) -> Deployment:
        """Run again; a deployment of ``models:/name@alias`` follows the alias anew."""
        record = await self.record(group, deployment_id)
        changes = await self._retarget(group, record, record.model_uri)
        phase = "Deploying" if record.desired != "running" else record.phase
        updated = await self.store.update(
            record.id, None, desired="running", phase=phase, **changes
        )
        self.on_change()
        return self.view(updated)

    async def delete(self, group: str, deployment_id: str) -> Deployment:
        record = await self.record(group, deployment_id)
        return self._changed(
            await self.store.update(record.id, None, desired="deleted", phase="Stopping")
        )

    def _changed(self, record: Record) -> Deployment:
        self._cache[record.id] = record
        self.on_change()
        return self.view(record)

    async def _retarget(self, group: str, record: Record, uri: str) -> dict[str, Any]:
        model_name, ref = parse_model_uri(uri)
        version = await self.registry.resolve(group, model_name, ref)
        if uri == record.model_uri and version == record.served_version:
            return {}
        entry = {"model_uri": uri, "version": version, "at": now_ms()}
        return {
            "model_uri": uri,
            "model_name": model_name,
            "served_version": version,
            "history": [*record.history, entry],
        }

    # -- views -----------------------------------------------------------------------------

    def view(self, record: Record) -> Deployment:
        return Deployment(
            id=record.id,
            name=record.name,
            description=record.description,
            group=record.grp,
            model_uri=record.model_uri,
            served_version=record.served_version,
            phase=record.phase,  # type: ignore[arg-type]
            message=_mask(record.message, self._secret_values(record)),
            endpoint=record.endpoint,
            replicas=record.replicas,
            env=[
                {"name": e["name"], "value": MASK if is_secret_name(e["name"]) else e["value"]}
                for e in record.env
            ],  # type: ignore[misc]
            access=record.access,  # type: ignore[arg-type]
            created_at=record.created_at,
            updated_at=record.updated_at,
            revision=record.revision,
            history=record.history,  # type: ignore[arg-type]
            backend=record.backend,
        )

    def env_for(self, record: Record) -> dict[str, str]:
        return process_env(self.registry.groups.get(record.grp), record)

    def _secret_values(self, record: Record) -> list[str]:
        env = process_env(self.registry.groups.get(record.grp), record)
        return [v for k, v in env.items() if is_secret_name(k) and len(v) >= 4]


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or not name.isprintable():
        raise InvalidArgument("name must be printable text, 1 to 63 characters", field="name")
    return name


def _mask(text: str, values: Sequence[str]) -> str:
    for value in values:
        text = text.replace(value, MASK)
    return text
