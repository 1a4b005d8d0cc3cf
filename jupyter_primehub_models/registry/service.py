"""``RegistryService``: groups, status, models, versions and a version's detail.

Every method issues a constant number of MLflow calls, concurrently where they do not
depend on each other; "Deployed By" is one query of the deployment index per page.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from ..deployments.deployed_by import (
    DeploymentIndex,
    DeploymentRef,
    NoDeployments,
    deployed_by,
)
from ..errors import ApiError, InvalidArgument, NotConfigured, NotFound, StoreUnavailable
from ..groups import NOT_CONFIGURED_HINT, GroupConfig, GroupSource
from ..lineage import NOTEBOOK_TAG
from ..membership import may_see
from ..mlflow_client import ClientPool, MlflowRestClient
from ..model_files import read_signature
from ..model_uri import ModelUri
from ..models import (
    Group,
    GroupList,
    MlflowBinding,
    ModelPage,
    ModelsQuery,
    ModelVersion,
    RegisteredModel,
    SourceNotebook,
    SourceRun,
    Status,
    VersionDetail,
    VersionPage,
    VersionSignature,
    VersionsQuery,
)
from . import mapping
from .calls import cancel, gather_all, optional
from .filters import name_filter, plausible_token, search_filter
from .lineage import LineageQueries
from .runs import RunQueries

VERSION = re.compile(r"^[1-9][0-9]{0,9}$")
#: How many versions' origins (run id, source) are remembered.
ORIGINS = 20000


def lab_relative(root: str, path: str) -> str | None:
    """``path`` relative to the Jupyter root (``/``-separated) if it is a file under it."""
    try:
        full = os.path.realpath(os.path.join(root, path))
        base = os.path.realpath(root)
    except (OSError, ValueError):
        return None
    if os.path.commonpath([full, base]) != base or not os.path.isfile(full):
        return None
    return os.path.relpath(full, base).replace(os.sep, "/")


class RegistryService(LineageQueries):
    """Models, versions and version detail of every group's MLflow registry."""

    def __init__(
        self,
        groups: GroupSource,
        clients: ClientPool,
        index: DeploymentIndex | None = None,
        *,
        experiments_ttl: float = 30.0,
        notebook_root: str | None = None,
    ):
        self.groups = groups
        self.clients = clients
        #: the group's deployments of a model, for Deployed By
        self.index: DeploymentIndex = index or NoDeployments()
        #: the Jupyter server's root: a source notebook under it gets a path Lab can open
        self.notebook_root = notebook_root
        self.runs = RunQueries(experiments_ttl)
        #: (group, model, version) → (run_id, source): what a version was made from never
        #: changes, so version detail can fetch run and logged model alongside the version.
        self._origins: OrderedDict[tuple[str, str, str], tuple[str | None, str | None]] = (
            OrderedDict()
        )

    # -- groups ---------------------------------------------------------------------------

    def list_groups(self) -> GroupList:
        """The groups the current viewer may see (``membership.py``), and their default."""
        current = self.groups.current()
        seen = [g for g in current.groups.values() if may_see(g.members_group)]
        default = current.default if any(g.name == current.default for g in seen) else None
        return GroupList(
            groups=[
                Group(
                    name=g.name,
                    display_name=g.display_name,
                    mlflow=MlflowBinding(configured=g.configured, ui_url=g.ui_url),
                )
                for g in seen
            ],
            default=default or (seen[0].name if seen else None),
            config_error=current.error,
        )

    def group(self, name: str) -> GroupConfig:
        """The group ``name``, if the current viewer may see it: the one gate of every
        route, widget and ``pm.*`` call (another group answers as if it did not exist)."""
        group = self.groups.get(name)
        if group is None or not may_see(group.members_group):
            raise NotFound(f"No group named {name!r}")
        return group

    def visible(self, name: str) -> bool:
        """Whether group ``name`` exists for the current viewer."""
        group = self.groups.get(name)
        return group is not None and may_see(group.members_group)

    def client(self, name: str) -> tuple[GroupConfig, MlflowRestClient]:
        group = self.group(name)
        if not group.configured:
            raise NotConfigured(group.problem or NOT_CONFIGURED_HINT)
        return group, self.clients.get(group)

    async def status(self, group_name: str) -> Status:
        group = self.group(group_name)
        if not group.configured:
            return Status(
                mlflow="not_configured",
                message=group.problem or NOT_CONFIGURED_HINT,
                ui_url=group.ui_url,
            )
        try:
            await self.clients.get(group).get("registered-models/search", {"max_results": 1})
        except ApiError as err:
            return Status(
                mlflow="unreachable", message=err.message, ui_url=group.ui_url, host=group.host
            )
        return Status(
            mlflow="ok",
            message=f"Connected to MLflow at {group.host}",
            ui_url=group.ui_url,
            host=group.host,
        )

    # -- models ---------------------------------------------------------------------------

    async def list_models(self, group_name: str, query: ModelsQuery) -> ModelPage:
        group, client = self.client(group_name)
        params: dict[str, Any] = {"max_results": query.max_results}
        clauses = []
        if query.filter:
            clauses.append(query.filter.strip())
        if query.search:
            clauses.append(search_filter(query.search))
        if clauses:
            params["filter"] = " AND ".join(clauses)
        if query.order_by:
            params["order_by"] = query.order_by
        if query.page_token:
            params["page_token"] = _token(query.page_token)
        body = await client.get("registered-models/search", params)
        return ModelPage(
            models=[
                mapping.registered_model(group, rm) for rm in body.get("registered_models", ())
            ],
            next_page_token=body.get("next_page_token") or None,
        )

    async def get_model(self, group_name: str, name: str) -> RegisteredModel:
        group, client = self.client(group_name)
        return mapping.registered_model(group, await self._registered_model(client, name))

    async def _registered_model(self, client: MlflowRestClient, name: str) -> dict[str, Any]:
        try:
            body = await client.get("registered-models/get", {"name": name})
        except (NotFound, InvalidArgument):  # MLflow refuses names it cannot hold (a '/')
            raise NotFound(f"No registered model named {name!r}") from None
        return body.get("registered_model") or {}

    async def resolve(self, group_name: str, uri: ModelUri) -> str:
        """The version ``uri`` (a version, or an alias) means now."""
        _, client = self.client(group_name)
        try:
            if uri.alias is None:
                await client.get("model-versions/get", {"name": uri.name, "version": uri.version})
                return str(uri.version)
            aliases = mapping.aliases_of(await self._registered_model(client, uri.name))
        except (NotFound, InvalidArgument):
            raise InvalidArgument(
                f"{uri} does not exist in group {group_name!r}'s MLflow", field="model_uri"
            ) from None
        if uri.alias not in aliases:
            raise InvalidArgument(
                f"{uri}: model {uri.name!r} has no alias {uri.alias!r}", field="model_uri"
            )
        return aliases[uri.alias]

    async def _deployed(self, group: str, model: str) -> Sequence[DeploymentRef]:
        """The index's deployments of a model; none when the store cannot be used (the
        registry pages work without it, the deployments API says why)."""
        try:
            return await self.index.for_model(group, model)
        except StoreUnavailable:
            return ()

    # -- versions -------------------------------------------------------------------------

    async def list_versions(self, group_name: str, name: str, query: VersionsQuery) -> VersionPage:
        group, client = self.client(group_name)
        where, exact = name_filter(name)
        params: dict[str, Any] = {
            "filter": where,
            "order_by": ["version_number DESC"],
            "max_results": query.max_results,
        }
        if query.page_token:
            params["page_token"] = _token(query.page_token)
        calls = [
            client.get("model-versions/search", params),
            self._registered_model(client, name),
            self._deployed(group.name, name),
        ]
        if query.run_data:
            calls.append(self.runs.experiment_ids(group, client))
        found, rm, refs, *experiments = await gather_all(*calls)
        rows = [mv for mv in found.get("model_versions", ()) if exact or mv.get("name") == name]
        for mv in rows:
            self._remember(group.name, name, mv)
        aliases = mapping.aliases_of(rm)
        runs = (
            await self.runs.of_versions(client, group, rows, experiments[0])
            if query.run_data
            else {}
        )
        deployed = deployed_by(refs, aliases)
        versions = []
        for mv in rows:
            data = (runs.get(mv.get("run_id") or "") or {}).get("data", {})
            versions.append(
                ModelVersion(
                    **mapping.version_fields(mv, aliases, deployed),
                    parameters=mapping.pairs(data.get("params")) if query.run_data else None,
                    metrics=mapping.metrics(data.get("metrics")) if query.run_data else None,
                )
            )
        return VersionPage(versions=versions, next_page_token=found.get("next_page_token") or None)

    # -- version detail -------------------------------------------------------------------

    async def get_version(self, group_name: str, name: str, version: str) -> VersionDetail:
        group, client = self.client(group_name)
        if not VERSION.match(version):
            raise NotFound(f"No version {version!r} of model {name!r}")
        origin = self._origins.get((group.name, name, version))
        mv_call = asyncio.ensure_future(
            client.get("model-versions/get", {"name": name, "version": version})
        )
        rm_call = asyncio.ensure_future(self._registered_model(client, name))
        refs_call = asyncio.ensure_future(self._deployed(group.name, name))
        # A version's run and source never change: when we know them, fetch run and
        # logged model alongside the version instead of after it.
        early = self._origin_calls(client, *origin) if origin else ()
        try:
            mv = (await mv_call).get("model_version") or {}
        except BaseException as err:
            cancel(rm_call, refs_call, *early)
            if isinstance(err, (NotFound, InvalidArgument)):
                raise NotFound(f"No version {version!r} of model {name!r}") from None
            raise
        actual = self._remember(group.name, name, mv)
        calls = early
        if origin != actual:
            cancel(*early)
            calls = self._origin_calls(client, *actual)
        try:
            run_body, logged, rm, refs = await asyncio.gather(*calls, rm_call, refs_call)
        except BaseException:
            cancel(rm_call, refs_call, *calls)
            raise
        aliases = mapping.aliases_of(rm)
        run = (run_body or {}).get("run")
        data = (run or {}).get("data", {})
        source_run = mapping.source_run(group, run)
        return VersionDetail(
            **mapping.version_fields(mv, aliases, deployed_by(refs, aliases)),
            description=mv.get("description") or "",
            source_run=source_run,
            source_notebook=await self._source_notebook(source_run),
            parameters=mapping.pairs(data.get("params")),
            metrics=mapping.metrics(data.get("metrics")),
            tags=mapping.pairs(mv.get("tags")),
            logged_model=mapping.logged_model(group, logged),
            ui_url=mapping.ui_link(group, f"models/{quote(name, safe='')}/versions/{version}"),
        )

    def _origin_calls(
        self, client: MlflowRestClient, run_id: str | None, source: str | None
    ) -> tuple[asyncio.Future[Any], asyncio.Future[Any]]:
        model_id = mapping.logged_model_id(source)
        return (
            asyncio.ensure_future(optional(client, "runs/get", {"run_id": run_id}, run_id)),
            asyncio.ensure_future(optional(client, f"logged-models/{model_id}", None, model_id)),
        )

    def _remember(
        self, group: str, name: str, mv: Mapping[str, Any]
    ) -> tuple[str | None, str | None]:
        origin = (mv.get("run_id") or None, mv.get("source") or None)
        key = (group, name, str(mv.get("version")))
        self._origins[key] = origin
        self._origins.move_to_end(key)
        while len(self._origins) > ORIGINS:
            self._origins.popitem(last=False)
        return origin

    async def _source_notebook(self, run: SourceRun | None) -> SourceNotebook | None:
        """The notebook a run came from: our lineage tag, else MLflow's notebook source."""
        if run is None:
            return None
        path = run.tags.get(NOTEBOOK_TAG)
        if not path and run.tags.get("mlflow.source.type") == "NOTEBOOK":
            path = run.tags.get("mlflow.source.name")
        if not path:
            return None
        lab_path = None
        if self.notebook_root:
            lab_path = await asyncio.to_thread(lab_relative, self.notebook_root, path)
        return SourceNotebook(path=path, lab_path=lab_path)

    async def get_signature(self, group_name: str, name: str, version: str) -> VersionSignature:
        """The version's input/output signature and an input example (from its MLmodel)."""
        _, client = self.client(group_name)
        if not VERSION.match(version):
            raise NotFound(f"No version {version!r} of model {name!r}")
        try:
            await client.get("model-versions/get", {"name": name, "version": version})
        except (NotFound, InvalidArgument):
            raise NotFound(f"No version {version!r} of model {name!r}") from None
        return await read_signature(client, name, version)


def _token(token: str) -> str:
    if not plausible_token(token):
        raise InvalidArgument("page_token is not a token this API gave out", field="page_token")
    return token
