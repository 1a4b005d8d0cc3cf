"""Builds the service objects once; the server extension and the widgets both use them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .config import GroupSource, PrimeHubModels
from .mlflow_client import ClientPool
from .registry import RegistryService


@dataclass
class Services:
    settings: PrimeHubModels
    registry: RegistryService

    async def aclose(self) -> None:
        await self.registry.clients.aclose()


def build_services(settings: PrimeHubModels, environ: Mapping[str, str] | None = None) -> Services:
    groups = GroupSource(settings, environ)
    registry = RegistryService(groups, ClientPool(settings.mlflow_timeout))
    return Services(settings=settings, registry=registry)
