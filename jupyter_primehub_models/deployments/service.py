"""Deployments: validation, desired state, history, alias resolution.

The REST handlers, the widgets and the scripting API all call this; none of them touches
the store directly. The reconciler realizes what it writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import string
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..errors import Conflict, InvalidArgument, NotFound
from ..groups import is_secret_name
from ..model_uri import ModelUri
from ..models import Deployment, DeploymentList, LogLines, LogsQuery, parse_as
from ..registry import RegistryService
from ..request_bodies import DeploymentCreate, DeploymentPatch, Promote, Rollback, TrafficSpec
from . import history
from .backends.base import Backend
from .environment import MASK, Environments, check_env
from .record import Record, RecordCache, Share, now_ms, primary
from .scoring import Answer, Scorer
from .store import Store

SLUG_CHARS = string.ascii_lowercase + string.digits


def new_id(name: str) -> str:
    """A DNS-1123 label (≤ 63 chars, starts with a letter): the name plus a random suffix."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50].strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"d-{slug}".rstrip("-")
    return f"{slug}-{''.join(secrets.choice(SLUG_CHARS) for _ in range(6))}"


@dataclass(frozen=True)
class Limits:
    """Caps of ``c.PrimeHubModels`` a deployment is held to."""

    max_deployments: int = 100
    max_replicas: int = 16


class DeploymentService:
    def __init__(
        self,
        store: Store,
        registry: RegistryService,
        backend: Backend,
        environments: Environments,
        cache: RecordCache,
        scorer: Scorer,
        *,
        limits: Limits = Limits(),
        on_change: Callable[[], None] = lambda: None,
        team_service_url: str = "",
    ):
        self.store = store
        self.registry = registry
        self.backend = backend
        self.environments = environments
        #: shared with the reconciler, which refreshes it every pass
        self.cache = cache
        self.scorer = scorer
        self.limits = limits
        self.on_change = on_change
        #: team mode: the hub service whose stable endpoints deployments show
        self.team_service_url = team_service_url

    async def serving_record(self, group: str, deployment_id: str) -> Record:
        """The record for scoring: from memory when it is known to serve (≤ one reconcile
        pass old), else as stored now (a kernel's memory holds only what it wrote)."""
        self.registry.group(group)  # (the viewer may see the group: membership.py)
        record = self.cache.get(deployment_id)
        if (
            record is None
            or record.grp != group
            or record.phase != "Deployed"
            or record.desired == "deleted"
        ):
            record = await self.record(group, deployment_id)
            self.cache.put(record)
        return record

    @contextlib.asynccontextmanager
    async def scoring(
        self,
        record: Record,
        body: bytes,
        headers: Mapping[str, str],
        stream_above: int | None = None,
    ) -> AsyncIterator[Answer]:
        """One scoring request to the deployment's serving processes (the proxy's)."""
        async with self.scorer.post(
            self.backend, record, body, headers, stream_above=stream_above
        ) as answer:
            yield answer

    async def score(self, group: str, deployment_id: str, body: bytes, content_type: str) -> Answer:
        """Score and read the whole answer (the scripting API's ``predict``)."""
        record = await self.serving_record(group, deployment_id)
        async with self.scoring(record, body, {"Content-Type": content_type}) as answer:
            return answer

    async def aclose(self) -> None:
        await self.scorer.aclose()

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

    async def logs(self, group: str, deployment_id: str, query: LogsQuery) -> LogLines:
        record = await self.record(group, deployment_id)
        lines = await self.backend.logs(record, query.tail)
        return LogLines(lines=self.environments.masker(record).lines(lines))

    # -- writes ----------------------------------------------------------------------------

    async def create(self, group: str, body: Any) -> Deployment:
        spec = parse_as(DeploymentCreate, body)
        name = _check_name(spec.name)
        check_env(e.model_dump() for e in spec.env)
        self._check_replicas(spec.replicas)
        shares = await self._resolve(
            group, spec.shares(), "model_uri" if spec.model_uri else "traffic"
        )
        main = primary(shares)
        at = now_ms()
        record = Record(
            id=new_id(name),
            grp=group,
            name=name,
            description=spec.description,
            model_uri=main.model_uri,
            model_name=main.uri.name,
            served_version=main.version,
            traffic=history.shares_json(shares),
            replicas=spec.replicas,
            env=[e.model_dump() for e in spec.env],
            access=spec.access,
            desired="running",
            phase="Deploying",
            backend=self.backend.name,
            created_at=at,
            updated_at=at,
            revision=1,
            history=history.append(None, "create", shares),
        )
        await self.store.insert(record, max_live=self.limits.max_deployments)
        return self._changed(record)

    async def update(self, group: str, deployment_id: str, body: Any) -> Deployment:
        patch = parse_as(DeploymentPatch, body)
        record = await self.record(group, deployment_id)
        changes: dict[str, Any] = {}
        if patch.name is not None:
            changes["name"] = _check_name(patch.name)
        if patch.replicas is not None:
            self._check_replicas(patch.replicas)
        for field in ("description", "replicas", "access"):
            value = getattr(patch, field)
            if value is not None:
                changes[field] = value
        if patch.env is not None:
            check_env(e.model_dump() for e in patch.env)
            stored = {e["name"]: e["value"] for e in record.env}
            changes["env"] = [
                {"name": e.name, "value": stored.get(e.name, "") if e.value == MASK else e.value}
                for e in patch.env
            ]
        wanted = None
        if patch.model_uri is not None:
            wanted, at_fault = [TrafficSpec(model_uri=patch.model_uri, weight=100)], "model_uri"
        elif patch.traffic is not None:
            wanted, at_fault = patch.traffic, "traffic"
        if wanted is not None:
            shares = await self._resolve(group, wanted, at_fault)
            same_uris = [(s.model_uri, s.version) for s in shares] == [
                (s.model_uri, s.version) for s in record.shares
            ]
            changes.update(self._retarget(record, shares, "weights" if same_uris else "update"))
        return self._changed(await self.store.update(record.id, patch.revision, **changes))

    async def promote(self, group: str, deployment_id: str, body: Any) -> Deployment:
        """All traffic to one entry of the split (default: the canary)."""
        ask = parse_as(Promote, body)
        record = await self.record(group, deployment_id)
        shares = record.shares
        if ask.model_uri is None:
            if len(shares) < 2:
                raise InvalidArgument(
                    "model_uri: this deployment serves one model URI; nothing to promote",
                    field="model_uri",
                )
            chosen = min(reversed(shares), key=lambda s: s.weight)
        else:
            found = [s for s in shares if s.model_uri == ask.model_uri.strip()]
            if not found:
                raise InvalidArgument(
                    f"model_uri: {ask.model_uri[:200]!r} is not in this deployment's traffic",
                    field="model_uri",
                )
            chosen = found[0]
        promoted = [Share(chosen.model_uri, 100, chosen.version)]
        changes = self._retarget(record, promoted, "promote")
        return self._changed(await self.store.update(record.id, ask.revision, **changes))

    async def rollback(self, group: str, deployment_id: str, body: Any) -> Deployment:
        """Serve again what an earlier history entry served (its versions, pinned)."""
        ask = parse_as(Rollback, body)
        record = await self.record(group, deployment_id)
        target = history.rollback_target(record, ask.to)
        wanted = [TrafficSpec(model_uri=s.model_uri, weight=s.weight) for s in target]
        shares = await self._resolve(group, wanted, "to")
        changes = self._retarget(record, shares, "rollback", to=ask.to)
        if record.desired != "running" or record.phase == "Failed":
            changes.update(desired="running", phase="Deploying")
        return self._changed(await self.store.update(record.id, ask.revision, **changes))

    async def follow(self, group: str, model: str, aliases: dict[str, str], *,
                     by_registry: bool) -> list[Deployment]:  # fmt: skip
        """Deployments of ``model`` that follow one of its aliases move to the version the
        alias names now (``aliases``: alias → version, as the registry says)."""
        moved = []
        for record in await self.store.list(group):
            if record.model_name != model or record.desired != "running" or record.damaged:
                continue
            shares = [
                Share(s.model_uri, s.weight, aliases.get(s.uri.alias, s.version))
                if s.uri.alias is not None else s
                for s in record.shares
            ]  # fmt: skip
            if shares == record.shares:
                continue
            changes = self._retarget(record, shares, "alias_moved", by_registry=by_registry)
            try:
                moved.append(self._changed(await self.store.update(record.id, record.revision,
                                                                   **changes)))  # fmt: skip
            except Conflict:  # changed meanwhile: the next look sees it as it is now
                continue
        return moved

    async def stop(self, group: str, deployment_id: str) -> Deployment:
        record = await self.record(group, deployment_id)
        changes: dict[str, Any] = {"desired": "stopped", "phase": "Stopping"}
        if record.desired != "stopped":
            changes["history"] = history.append(record, "stop", record.shares)
        return self._changed(await self.store.update(record.id, None, **changes))

    async def start(self, group: str, deployment_id: str) -> Deployment:
        """Run again; a deployment of ``models:/name@alias`` follows the alias anew."""
        record = await self.record(group, deployment_id)
        wanted = [TrafficSpec(model_uri=s.model_uri, weight=s.weight) for s in record.shares]
        shares = await self._resolve(group, wanted, "model_uri")
        changes: dict[str, Any] = {}
        if record.desired != "running" or shares != record.shares:
            changes = self._retarget(record, shares, "start")
        # from stopped, or failed: on its way again
        phase = (
            "Deploying"
            if record.desired != "running" or record.phase == "Failed"
            else (record.phase)
        )
        return self._changed(
            await self.store.update(record.id, None, desired="running", phase=phase, **changes)
        )

    async def delete(self, group: str, deployment_id: str) -> Deployment:
        record = await self.record(group, deployment_id)
        return self._changed(
            await self.store.update(record.id, None, desired="deleted", phase="Stopping")
        )

    def _check_replicas(self, replicas: int) -> None:
        if replicas > self.limits.max_replicas:
            raise InvalidArgument(
                f"replicas: at most {self.limits.max_replicas} (c.PrimeHubModels.max_replicas)",
                field="replicas",
            )

    def _changed(self, record: Record) -> Deployment:
        self.cache.put(record)
        self.on_change()
        return self.view(record)

    async def _resolve(self, group: str, wanted: list[TrafficSpec], field: str) -> list[Share]:
        """Each entry's URI checked and resolved (concurrently): one registered model, and
        a split the backend can serve."""
        uris = [ModelUri.parse(w.model_uri, field=field) for w in wanted]
        if len({u.name for u in uris}) > 1:
            raise InvalidArgument(
                f"{field}: every entry must name the same registered model", field=field
            )
        self.backend.check_traffic(len(uris))
        versions = await asyncio.gather(*(self.registry.resolve(group, u) for u in uris))
        return [Share(str(u), w.weight, v) for u, w, v in zip(uris, wanted, versions, strict=True)]

    def _retarget(self, record: Record, shares: list[Share], action: str, *,
                  by_registry: bool = False, to: int | None = None) -> dict[str, Any]:  # fmt: skip
        """The changes that make ``shares`` what serves, with the history entry (``to``:
        the entry a rollback serves again)."""
        main = primary(shares)
        extra = {"to": to} if to is not None else {}
        return {
            "traffic": history.shares_json(shares),
            "model_uri": main.model_uri,
            "model_name": main.uri.name,
            "served_version": main.version,
            "history": history.append(record, action, shares, by_registry=by_registry, **extra),
        }

    # -- views -----------------------------------------------------------------------------

    def view(self, record: Record) -> Deployment:
        mask = self.environments.masker(record)
        uri = record.uri
        phase, message = record.phase, mask(record.message)
        if record.damaged:
            phase = "Failed"
            message = f"This deployment's stored record is damaged ({record.damaged}); delete it"
        entries = [
            {**entry, "message": mask(entry["message"])} if entry.get("message") else entry
            for entry in history.numbered(record.history)
        ]
        return Deployment(
            id=record.id,
            name=record.name,
            description=record.description,
            group=record.grp,
            model_uri=record.model_uri,
            traffic=[s.to_json() for s in record.shares],  # type: ignore[misc]
            model_name=uri.name,
            version=uri.version,
            alias=uri.alias,
            served_version=record.served_version,
            phase=phase,  # type: ignore[arg-type]
            message=message,
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
            history=entries,  # type: ignore[arg-type]
            backend=record.backend,
            scoring_url=self._scoring_url(record),
        )

    def _scoring_url(self, record: Record) -> str | None:
        """Team mode: the hub service's stable endpoint of the deployment."""
        if not self.team_service_url:
            return None
        path = "/".join(quote(p, safe="") for p in ("groups", record.grp, "deployments", record.id))
        return f"{self.team_service_url.rstrip('/')}/primehub-models/api/{path}/invocations"


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or not name.isprintable():
        raise InvalidArgument("name must be printable text, 1 to 63 characters", field="name")
    return name
