"""Builds the service objects once; the server extension, the scripting API and the
widgets all use them. Every part gets what it needs when it is made: nothing is wired
by mutation afterwards."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass

from .config import PrimeHubModels
from .deployments.aliases import AliasFollower
from .deployments.environment import Environments
from .deployments.reconciler import Reconciler
from .deployments.record import RecordCache
from .deployments.scoring import Scorer
from .deployments.service import DeploymentService, Limits
from .deployments.store import Store
from .groups import GroupSource
from .membership import Membership, viewing
from .mlflow_client import ClientPool
from .registry import RegistryService
from .registry.writes import RegistryWrites


@dataclass
class Services:
    settings: PrimeHubModels
    registry: RegistryService
    writes: RegistryWrites
    deployments: DeploymentService
    reconciler: Reconciler
    follower: AliasFollower
    membership: Membership
    _started: asyncio.Task[None] | None = None

    async def ensure_started(self) -> None:
        """Start the reconciler once (adopting what still runs); later calls just wait. A
        start that failed (the store could not be opened) is tried again by the next call."""
        started = self._started
        if started is not None and started.done() and started.exception() is not None:
            started = None
        if started is None:
            with viewing(None):  # the reconciler's tasks see every group, whoever came first
                started = self._started = asyncio.ensure_future(self._start())
        await asyncio.shield(started)

    async def _start(self) -> None:
        await self.reconciler.start()
        self.follower.start()

    async def aclose(self) -> None:
        await self.follower.stop()
        await self.reconciler.stop()
        await self.deployments.aclose()
        await self.registry.clients.aclose()
        self.deployments.store.close()


def build_services(settings: PrimeHubModels, environ: Mapping[str, str] | None = None) -> Services:
    environ = os.environ if environ is None else environ
    groups = GroupSource(settings, environ)
    store = Store(settings.db_url, settings.db_kwargs)
    registry = RegistryService(groups, ClientPool(settings.mlflow_timeout), index=store)
    backend = settings.backend_class(parent=settings)
    environments = Environments(groups)
    cache = RecordCache()
    reconciler = Reconciler(
        store, backend, environments, cache,
        lease_ttl=settings.lease_ttl, may_lead=not settings.team_service_url,
    )  # fmt: skip
    deployments = DeploymentService(
        store, registry, backend, environments, cache, Scorer(settings.max_inflight),
        limits=Limits(settings.max_deployments, settings.max_replicas),
        on_change=reconciler.kick, team_service_url=settings.team_service_url,
    )  # fmt: skip
    follower = AliasFollower(
        deployments, settings.alias_poll_interval, leading=lambda: reconciler.leading
    )
    writes = RegistryWrites(registry, on_alias_moved=follower.moved_here)
    membership = Membership(settings.membership, environ, settings.mlflow_timeout)
    return Services(settings, registry, writes, deployments, reconciler, follower, membership)
