"""The "Deployed By" join: a model's versions against the group's deployments.

The registry asks a ``DeploymentIndex`` (the store implements it) for the group's live
deployments of one model — one query, made alongside the MLflow calls of the page — and
joins them to the versions here, never one query per version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..errors import InvalidArgument
from ..model_uri import ModelUri
from ..models import DeployedBy


@dataclass(frozen=True)
class DeploymentRef:
    """What the join needs of one deployment."""

    id: str
    name: str
    phase: str
    model_uri: str
    #: the version the URI resolved to when the deployment last (re)targeted it
    served_version: str | None
    #: the stored traffic split (JSON; "[]": model_uri at 100)
    traffic: str = "[]"

    def shares(self) -> list[tuple[str, str | None, int]]:
        """(model URI, version it resolved to, weight) of each entry of the split."""
        try:
            split = json.loads(self.traffic)
            found = [(str(t["model_uri"]), t.get("version"), int(t["weight"])) for t in split]
        except (TypeError, ValueError, KeyError):
            found = []
        return found or [(self.model_uri, self.served_version, 100)]


class DeploymentIndex(Protocol):
    """The group's live deployments of one model."""

    async def for_model(self, group: str, model: str) -> Sequence[DeploymentRef]: ...


class NoDeployments:
    """The index where no deployment store exists: nothing is deployed."""

    async def for_model(self, group: str, model: str) -> Sequence[DeploymentRef]:
        return ()


def deployed_by(
    refs: Sequence[DeploymentRef], aliases: Mapping[str, str]
) -> dict[str, list[DeployedBy]]:
    """Version → the deployments serving it, each with the share of its traffic that
    version gets. An alias counts for the version it pointed at when the deployment
    resolved it, else for the version it points at now."""
    found: dict[str, list[DeployedBy]] = {}
    for ref in refs:
        for model_uri, version, weight in ref.shares():
            if version is None:
                try:
                    uri = ModelUri.parse(model_uri)
                except InvalidArgument:
                    continue
                version = aliases.get(uri.alias) if uri.alias is not None else uri.version
            if version is not None:
                found.setdefault(str(version), []).append(
                    DeployedBy(id=ref.id, name=ref.name, phase=ref.phase, weight=weight)
                )
    return found
