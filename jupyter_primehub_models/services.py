"""Builds the service objects once; the server extension and the widgets both use them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .config import GroupSource, PrimeHubModels
from .deployments.backends import make_backend
from .deployments.reconciler import Reconciler
from .deployments.service import DeploymentService
from .deployments.store import Store
from .mlflow_client import ClientPool
from .registry import RegistryService


@dataclass
class Services:
    settings: PrimeHubModels
    registry: RegistryService
    deployments: DeploymentService
    reconciler: Reconciler
    _started: asyncio.Task[None] | None = None

    async def ensure_started(self) -> None:
        """Start the reconciler once (adopting what still runs); later calls just wait."""
        if self._started is None:
            self._started = asyncio.ensure_future(self.reconciler.start())
        await asyncio.shield(self._started)

    async def aclose(self) -> None:
        await self.reconciler.stop()
        await self.deployments.aclose()
        await self.registry.clients.aclose()
        self.deployments.store.close()


def build_services(settings: PrimeHubModels, environ: Mapping[str, str] | None = None) -> Services:
    groups = GroupSource(settings, environ)
    registry = RegistryService(groups, ClientPool(settings.mlflow_timeout))
    store = Store(Path(settings.state_dir) / "deployments.sqlite")
    backend = make_backend(settings.deploy_backend, settings)
    deployments = DeploymentService(store, registry, backend)
    reconciler = Reconciler(store, backend, deployments.env_for, on_pass=deployments.remember)
    deployments.on_change = reconciler.kick
    registry.deployments = deployments
    return Services(settings, registry, deployments, reconciler)
