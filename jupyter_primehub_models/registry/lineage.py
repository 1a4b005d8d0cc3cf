"""The versions a run or a notebook produced (the lineage the package tags runs with):
``RegistryService``'s lineage queries, one ``model-versions/search`` for a set of runs."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..deployments.deployed_by import deployed_by
from ..errors import InvalidArgument
from ..models import ModelVersion, VersionPage
from . import mapping
from .calls import gather_all
from .runs import versions_of_runs

if TYPE_CHECKING:
    from .service import RegistryService


class LineageQueries:
    """Mixed into ``RegistryService`` (its client, index and notebook root)."""

    async def versions_from_runs(
        self: RegistryService, group_name: str, run_ids: Sequence[str]
    ) -> list[ModelVersion]:
        """Every version registered from these runs' models: one ``model-versions/search``
        (plus one light index query and one ``registered-models/get`` per model found)."""
        group, client = self.client(group_name)
        found = await versions_of_runs(client, run_ids)
        names = sorted({mv["name"] for mv in found})
        models = await gather_all(*(self._registered_model(client, n) for n in names))
        refs = await gather_all(*(self._deployed(group.name, n) for n in names))
        joined: dict[str, tuple[Mapping[str, str], Mapping[str, Any]]] = {}
        for name, rm, ref in zip(names, models, refs, strict=True):
            aliases = mapping.aliases_of(rm)
            joined[name] = (aliases, deployed_by(ref, aliases))
        versions = []
        for mv in found:
            self._remember(group.name, mv["name"], mv)
            aliases, deployed = joined[mv["name"]]
            versions.append(ModelVersion(**mapping.version_fields(mv, aliases, deployed)))
        versions.sort(key=lambda v: (-(v.creation_timestamp or 0), v.name, -int(v.version)))
        return versions

    async def notebook_runs(self: RegistryService, group_name: str, notebook: str) -> list[str]:
        """Ids of the runs tagged with this notebook path."""
        group, client = self.client(group_name)
        return await self.runs.of_notebook(group, client, notebook)

    async def versions_from_notebook(
        self: RegistryService, group_name: str, notebook: str
    ) -> list[ModelVersion]:
        """The versions registered from runs of this notebook (lineage tag)."""
        return await self.versions_from_runs(
            group_name, await self.notebook_runs(group_name, notebook)
        )

    async def versions_from_lab_notebook(
        self: RegistryService, group_name: str, path: str
    ) -> VersionPage:
        """The versions registered from runs of the notebook JupyterLab names ``path``
        (relative to the server's root: the lineage tag holds its absolute path)."""
        parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
        if not parts or ".." in parts or not path.isprintable():
            raise InvalidArgument(
                "path: a notebook path relative to the Jupyter root, without '..'", field="path"
            )
        relative = "/".join(parts)
        full = relative
        if self.notebook_root:
            root = self.notebook_root
            full = await asyncio.to_thread(lambda: os.path.realpath(os.path.join(root, relative)))
        versions = await self.versions_from_notebook(group_name, full)
        return VersionPage(versions=versions, next_page_token=None)
