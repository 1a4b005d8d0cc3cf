"""Registered models, their versions and a version's detail, for each group's MLflow.

Every method issues a constant number of MLflow calls, concurrently where they do not
depend on each other; the "Deployed By" column is one join against the deployments.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import math
import os
import re
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import quote

from .config import NOT_CONFIGURED_HINT, GroupConfig, GroupSource
from .errors import ApiError, InvalidArgument, NotConfigured, NotFound
from .lineage import NOTEBOOK_TAG
from .mlflow_client import ClientPool, MlflowRestClient
from .model_files import read_signature
from .models import (
    DeployedBy,
    Group,
    GroupList,
    LoggedModel,
    MlflowBinding,
    ModelPage,
    ModelVersion,
    RegisteredModel,
    SourceNotebook,
    SourceRun,
    Status,
    VersionDetail,
    VersionPage,
    VersionSignature,
)

MAX_PAGE = 1000
DEFAULT_PAGE = 100
MAX_FILTER = 2000
ORDER_KEYS = ("name", "timestamp", "last_updated_timestamp")
ORDER_BY = re.compile(rf"^\s*({'|'.join(ORDER_KEYS)})(\s+(ASC|DESC))?\s*$", re.I)
VERSION = re.compile(r"^[1-9][0-9]{0,9}$")
RUN_ID = re.compile(r"[0-9a-zA-Z_-]{1,64}")
URI_VERSION = re.compile(r"/([1-9][0-9]*)$")
LOGGED_MODEL_SOURCE = re.compile(r"^models:/(m-[0-9a-f]{32})(?:/|$)")
#: Characters that cannot appear inside an MLflow filter string literal; in a LIKE
#: pattern each becomes ``_`` (any one character), the only escape MLflow offers.
UNQUOTABLE = re.compile(r"['\"\\]")


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


#: (id, name, phase, model_uri, served_version) of one deployment.
DeploymentRef = tuple[str, str, str, str, "str | None"]


class DeploymentIndex(Protocol):
    """The group's deployments of one model: one query, made alongside the MLflow calls."""

    async def deployments_of(self, group: str, model: str) -> Sequence[DeploymentRef]: ...


class NoDeployments:
    """The index while no deployment store is attached: nothing is deployed."""

    async def deployments_of(self, group: str, model: str) -> Sequence[DeploymentRef]:
        return ()


def deployed_by(
    refs: Sequence[DeploymentRef], aliases: Mapping[str, str]
) -> dict[str, list[DeployedBy]]:
    """The "Deployed By" join: version → the deployments serving it (an alias counts for
    the version it points at when the deployment resolved it, else now)."""
    found: dict[str, list[DeployedBy]] = {}
    for deployment_id, name, phase, uri, served in refs:
        version = served
        if version is None:
            ref = uri.rsplit("@", 1)[1] if "@" in uri else uri.rsplit("/", 1)[-1]
            version = aliases.get(ref) if "@" in uri else ref
        if version is not None:
            found.setdefault(version, []).append(
                DeployedBy(id=deployment_id, name=name, phase=phase)
            )
    return found


def quote_literal(text: str) -> str | None:
    """``text`` as an MLflow filter string literal, or None if no quoting can hold it."""
    if "\\" in text:
        return None
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return None


def name_filter(name: str) -> tuple[str, bool]:
    """A filter selecting model ``name``; False when it may select more (then post-filter)."""
    literal = quote_literal(name)
    if literal is not None:
        return f"name = {literal}", True
    return f"name LIKE '{UNQUOTABLE.sub('_', name)}'", False


def search_filter(text: str) -> str:
    """A case-insensitive "name contains text" filter; quotes cannot break out of it."""
    return f"name ILIKE '%{UNQUOTABLE.sub('_', text)}%'"


def model_uri(name: str, version: str) -> str:
    return f"models:/{name}/{version}"


def _pairs(items: Any) -> dict[str, str]:
    """MLflow's ``[{"key", "value"}]`` (tags, params) as a dict."""
    return {t["key"]: str(t.get("value", "")) for t in items or () if "key" in t}


def _aliases(rm: Mapping[str, Any]) -> dict[str, str]:
    """A registered model's aliases: alias → version."""
    return {a["alias"]: str(a["version"]) for a in rm.get("aliases", ())}


def _metrics(items: Any) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for m in items or ():
        value = m.get("value")
        if isinstance(value, str):  # MLflow writes NaN / Infinity as strings in JSON
            value = float(value) if value.lstrip("-").isalpha() else None
        out[m["key"]] = value if isinstance(value, (int, float)) and math.isfinite(value) else None
    return out


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _logged_model_id(source: str | None) -> str | None:
    match = LOGGED_MODEL_SOURCE.match(source or "")
    return match.group(1) if match else None


def _check_page(max_results: int | None, page_token: str | None) -> int:
    if max_results is None:
        max_results = DEFAULT_PAGE
    if not 1 <= max_results <= MAX_PAGE:
        raise InvalidArgument(f"max_results must be between 1 and {MAX_PAGE}")
    if page_token is not None and not _plausible_token(page_token):
        raise InvalidArgument("page_token is not a token this API gave out")
    return max_results


def _plausible_token(token: str) -> bool:
    """Refuse tokens MLflow's SQL store crashes on (HTTP 500): non-ASCII text, base64 of
    JSON that is not an object, or an offset that is not a small whole number."""
    if len(token) > 1024 or not token.isascii() or not token.isprintable():
        return False
    try:
        decoded = json.loads(base64.b64decode(token, validate=True))
    except (ValueError, binascii.Error):
        return True  # not MLflow's SQL-store shape: MLflow itself answers
    if not isinstance(decoded, dict):
        return False
    offset = decoded.get("offset", 0)
    return isinstance(offset, int) and 0 <= offset < 2**31


class RegistryService:
    """Models, versions and version detail of every group's MLflow registry."""

    def __init__(
        self,
        groups: GroupSource,
        clients: ClientPool,
        deployments: DeploymentIndex | None = None,
        *,
        experiments_ttl: float = 30.0,
        notebook_root: str | None = None,
    ):
        self.groups = groups
        #: the Jupyter server's root: a source notebook under it gets a path Lab can open
        self.notebook_root = notebook_root
        self.clients = clients
        self.deployments: DeploymentIndex = deployments or NoDeployments()
        self._experiments_ttl = experiments_ttl
        self._experiments: dict[str, tuple[float, list[str]]] = {}
        #: (group, model, version) → (run_id, source): what a version was made from never
        #: changes, so version detail can fetch run and logged model alongside the version.
        self._origins: OrderedDict[tuple[str, str, str], tuple[str | None, str | None]] = (
            OrderedDict()
        )

    # -- groups ---------------------------------------------------------------------------

    def list_groups(self) -> GroupList:
        current = self.groups.current()
        return GroupList(
            groups=[
                Group(
                    name=g.name,
                    display_name=g.display_name,
                    mlflow=MlflowBinding(configured=g.configured, ui_url=g.ui_url),
                )
                for g in current.groups.values()
            ],
            default=current.default,
            config_error=current.error,
        )

    def group(self, name: str) -> GroupConfig:
        group = self.groups.get(name)
        if group is None:
            raise NotFound(f"No group named {name!r}")
        return group

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

    async def list_models(
        self,
        group_name: str,
        *,
        search: str | None = None,
        filter: str | None = None,
        order_by: Sequence[str] = (),
        max_results: int | None = None,
        page_token: str | None = None,
    ) -> ModelPage:
        group, client = self.client(group_name)
        params: dict[str, Any] = {"max_results": _check_page(max_results, page_token)}
        clauses = []
        if filter:
            if len(filter) > MAX_FILTER or not filter.isprintable():
                raise InvalidArgument(f"filter must be printable and at most {MAX_FILTER} chars")
            clauses.append(filter.strip())
        if search:
            if len(search) > 256:
                raise InvalidArgument("search text must be at most 256 characters")
            clauses.append(search_filter(search))
        if clauses:
            params["filter"] = " AND ".join(clauses)
        for item in order_by:
            if not ORDER_BY.match(item):
                raise InvalidArgument(
                    f"order_by {item!r}: use one of {', '.join(ORDER_KEYS)}, then ASC or DESC"
                )
        if order_by:
            params["order_by"] = [o.strip() for o in order_by]
        if page_token:
            params["page_token"] = page_token
        body = await client.get("registered-models/search", params)
        return ModelPage(
            models=[self._model(group, rm) for rm in body.get("registered_models", ())],
            next_page_token=body.get("next_page_token") or None,
        )

    async def get_model(self, group_name: str, name: str) -> RegisteredModel:
        group, client = self.client(group_name)
        return self._model(group, await self._registered_model(client, name))

    async def _registered_model(self, client: MlflowRestClient, name: str) -> dict[str, Any]:
        try:
            body = await client.get("registered-models/get", {"name": name})
        except (NotFound, InvalidArgument):  # MLflow refuses names it cannot hold (a '/')
            raise NotFound(f"No registered model named {name!r}") from None
        return body.get("registered_model") or {}

    def _model(self, group: GroupConfig, rm: Mapping[str, Any]) -> RegisteredModel:
        versions = [_int(v.get("version")) for v in rm.get("latest_versions", ())]
        latest = max((v for v in versions if v is not None), default=None)
        return RegisteredModel(
            name=rm["name"],
            description=rm.get("description") or "",
            latest_version=str(latest) if latest is not None else None,
            creation_timestamp=_int(rm.get("creation_timestamp")),
            last_updated_timestamp=_int(rm.get("last_updated_timestamp")),
            tags=_pairs(rm.get("tags")),
            aliases=_aliases(rm),
            ui_url=self._ui(group, f"models/{quote(rm['name'], safe='')}"),
        )

    async def resolve(self, group_name: str, name: str, ref: str) -> str:
        """The version that ``models:/name/<ref>`` (a version, or ``@alias``) means now."""
        _, client = self.client(group_name)
        uri = f"models:/{name}{ref if ref.startswith('@') else '/' + ref}"
        try:
            if ref.startswith("@"):
                aliases = _aliases(await self._registered_model(client, name))
            else:
                await client.get("model-versions/get", {"name": name, "version": ref})
                return ref
        except (NotFound, InvalidArgument):
            raise InvalidArgument(
                f"{uri} does not exist in group {group_name!r}'s MLflow", field="model_uri"
            ) from None
        if ref[1:] not in aliases:
            raise InvalidArgument(
                f"{uri}: model {name!r} has no alias {ref[1:]!r}", field="model_uri"
            )
        return aliases[ref[1:]]

    # -- versions -------------------------------------------------------------------------

    async def list_versions(
        self,
        group_name: str,
        name: str,
        *,
        max_results: int | None = None,
        page_token: str | None = None,
        run_data: bool = False,
    ) -> VersionPage:
        group, client = self.client(group_name)
        where, exact = name_filter(name)
        params: dict[str, Any] = {
            "filter": where,
            "order_by": ["version_number DESC"],
            "max_results": _check_page(max_results, page_token),
        }
        if page_token:
            params["page_token"] = page_token
        calls = [
            client.get("model-versions/search", params),
            self._registered_model(client, name),
            self.deployments.deployments_of(group.name, name),
        ]
        if run_data:
            calls.append(self._experiment_ids(group, client))
        found, rm, refs, *experiments = await _all(*calls)
        rows = [mv for mv in found.get("model_versions", ()) if exact or mv.get("name") == name]
        for mv in rows:
            self._remember(group.name, name, mv)
        aliases = _aliases(rm)
        runs = await self._runs(client, group, rows, experiments[0]) if run_data else {}
        deployed = deployed_by(refs, aliases)
        versions = []
        for mv in rows:
            run = runs.get(mv.get("run_id") or "")
            data = (run or {}).get("data", {})
            versions.append(
                ModelVersion(
                    **self._version_fields(mv, aliases, deployed),
                    parameters=_pairs(data.get("params")) if run_data else None,
                    metrics=_metrics(data.get("metrics")) if run_data else None,
                )
            )
        return VersionPage(versions=versions, next_page_token=found.get("next_page_token") or None)

    @staticmethod
    def _version_fields(
        mv: Mapping[str, Any],
        aliases: Mapping[str, str],
        deployed: Mapping[str, list[DeployedBy]],
    ) -> dict[str, Any]:
        version = str(mv["version"])
        return {
            "name": mv["name"],
            "version": version,
            "status": mv.get("status") or "READY",
            "creation_timestamp": _int(mv.get("creation_timestamp")),
            "last_updated_timestamp": _int(mv.get("last_updated_timestamp")),
            "run_id": mv.get("run_id") or None,
            "source": mv.get("source") or None,
            "model_id": _logged_model_id(mv.get("source")),
            "aliases": sorted(a for a, v in aliases.items() if v == version),
            "model_uri": model_uri(mv["name"], version),
            "deployed_by": list(deployed.get(version, ())),
        }

    async def _experiment_ids(self, group: GroupConfig, client: MlflowRestClient) -> list[str]:
        held = self._experiments.get(group.name)
        if held is not None and time.monotonic() - held[0] < self._experiments_ttl:
            return held[1]
        ids: list[str] = []
        token: str | None = None
        while True:
            body: dict[str, Any] = {"max_results": 1000, "view_type": "ALL"}
            if token:
                body["page_token"] = token
            page = await client.post("experiments/search", body)
            ids.extend(e["experiment_id"] for e in page.get("experiments", ()))
            token = page.get("next_page_token")
            if not token:
                break
        self._experiments[group.name] = (time.monotonic(), ids)
        return ids

    async def _runs(
        self,
        client: MlflowRestClient,
        group: GroupConfig,
        versions: Sequence[Mapping[str, Any]],
        experiment_ids: list[str],
    ) -> dict[str, dict[str, Any]]:
        """The versions' runs, by one ``runs/search`` (twice if an experiment is new)."""
        run_ids = sorted({mv["run_id"] for mv in versions if mv.get("run_id")})
        if not run_ids:
            return {}
        found = await self._search_runs(client, run_ids, experiment_ids)
        if len(found) < len(run_ids) and group.name in self._experiments:
            del self._experiments[group.name]  # a run in an experiment made since we looked
            fresh = await self._experiment_ids(group, client)
            if set(fresh) != set(experiment_ids):
                found = await self._search_runs(client, run_ids, fresh)
        return found

    @staticmethod
    async def _search_runs(
        client: MlflowRestClient, run_ids: list[str], experiment_ids: list[str]
    ) -> dict[str, dict[str, Any]]:
        if not experiment_ids:
            return {}
        ids = ", ".join(f"'{r}'" for r in run_ids if re.fullmatch(r"[0-9a-zA-Z_-]+", r))
        body = await client.post(
            "runs/search",
            {
                "experiment_ids": experiment_ids,
                "filter": f"attributes.run_id IN ({ids})",
                "run_view_type": "ALL",
                "max_results": len(run_ids),
            },
        )
        return {r["info"]["run_id"]: r for r in body.get("runs", ())}

    # -- lineage: the versions a run or a notebook produced -------------------------------

    async def versions_from_runs(
        self, group_name: str, run_ids: Sequence[str]
    ) -> list[ModelVersion]:
        """Every version registered from these runs' models: one ``model-versions/search``
        (plus one light store query and one ``registered-models/get`` per model found)."""
        group, client = self.client(group_name)
        ids = sorted({r for r in run_ids if RUN_ID.fullmatch(r)})
        if not ids:
            return []
        found: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "filter": f"run_id IN ({', '.join(repr(r) for r in ids)})",
                "max_results": MAX_PAGE,
            }
            if token:
                params["page_token"] = token
            page = await client.get("model-versions/search", params)
            found.extend(page.get("model_versions", ()))
            token = page.get("next_page_token")
            if not token or len(found) >= 10 * MAX_PAGE:
                break
        names = sorted({mv["name"] for mv in found})
        models = await _all(*(self._registered_model(client, n) for n in names))
        refs = await _all(*(self.deployments.deployments_of(group.name, n) for n in names))
        joined = {
            n: (_aliases(rm), deployed_by(r, _aliases(rm)))
            for n, rm, r in zip(names, models, refs, strict=True)
        }
        versions = []
        for mv in found:
            self._remember(group.name, mv["name"], mv)
            aliases, deployed = joined[mv["name"]]
            versions.append(ModelVersion(**self._version_fields(mv, aliases, deployed)))
        versions.sort(key=lambda v: (-(v.creation_timestamp or 0), v.name, -int(v.version)))
        return versions

    async def notebook_runs(self, group_name: str, notebook: str) -> list[str]:
        """Ids of the runs tagged with this notebook path: one ``runs/search`` by tag."""
        group, client = self.client(group_name)
        literal = quote_literal(notebook)
        experiments = await self._experiment_ids(group, client)
        if literal is None or not experiments:
            return []
        ids: list[str] = []
        token: str | None = None
        while True:
            body: dict[str, Any] = {
                "experiment_ids": experiments,
                "filter": f"tags.`{NOTEBOOK_TAG}` = {literal}",
                "run_view_type": "ACTIVE_ONLY",
                "max_results": MAX_PAGE,
            }
            if token:
                body["page_token"] = token
            page = await client.post("runs/search", body)
            ids.extend(r["info"]["run_id"] for r in page.get("runs", ()))
            token = page.get("next_page_token")
            if not token or len(ids) >= 10 * MAX_PAGE:
                break
        return ids

    async def versions_from_notebook(self, group_name: str, notebook: str) -> list[ModelVersion]:
        """The versions registered from runs of this notebook (lineage tag)."""
        return await self.versions_from_runs(
            group_name, await self.notebook_runs(group_name, notebook)
        )

    # -- version detail -------------------------------------------------------------------

    async def get_version(self, group_name: str, name: str, version: str) -> VersionDetail:
        group, client = self.client(group_name)
        if not VERSION.match(version):
            raise NotFound(f"No version {version!r} of model {name!r}")
        key = (group.name, name, version)
        origin = self._origins.get(key)
        mv_call = asyncio.ensure_future(
            client.get("model-versions/get", {"name": name, "version": version})
        )
        rm_call = asyncio.ensure_future(self._registered_model(client, name))
        refs_call = asyncio.ensure_future(self.deployments.deployments_of(group.name, name))
        # A version's run and source never change: when we know them, fetch run and
        # logged model alongside the version instead of after it.
        early = self._origin_calls(client, *origin) if origin else ()
        try:
            mv = (await mv_call).get("model_version") or {}
        except BaseException as err:
            _cancel(rm_call, refs_call, *early)
            if isinstance(err, (NotFound, InvalidArgument)):
                raise NotFound(f"No version {version!r} of model {name!r}") from None
            raise
        actual = self._remember(group.name, name, mv)
        calls = early
        if origin != actual:
            _cancel(*early)
            calls = self._origin_calls(client, *actual)
        try:
            run_body, logged, rm, refs = await asyncio.gather(*calls, rm_call, refs_call)
        except BaseException:
            _cancel(rm_call, refs_call, *calls)
            raise
        aliases = _aliases(rm)
        deployed = deployed_by(refs, aliases)
        run = (run_body or {}).get("run")
        data = (run or {}).get("data", {})
        source_run = self._source_run(group, run)
        return VersionDetail(
            **self._version_fields(mv, aliases, deployed),
            description=mv.get("description") or "",
            source_run=source_run,
            source_notebook=await self._source_notebook(source_run),
            parameters=_pairs(data.get("params")),
            metrics=_metrics(data.get("metrics")),
            tags=_pairs(mv.get("tags")),
            logged_model=self._logged_model(group, logged),
            ui_url=self._ui(group, f"models/{quote(name, safe='')}/versions/{version}"),
        )

    def _origin_calls(
        self, client: MlflowRestClient, run_id: str | None, source: str | None
    ) -> tuple[asyncio.Future[Any], asyncio.Future[Any]]:
        model_id = _logged_model_id(source)
        return (
            asyncio.ensure_future(_optional(client, "runs/get", {"run_id": run_id}, run_id)),
            asyncio.ensure_future(_optional(client, f"logged-models/{model_id}", None, model_id)),
        )

    def _remember(
        self, group: str, name: str, mv: Mapping[str, Any]
    ) -> tuple[str | None, str | None]:
        origin = (mv.get("run_id") or None, mv.get("source") or None)
        key = (group, name, str(mv.get("version")))
        self._origins[key] = origin
        self._origins.move_to_end(key)
        while len(self._origins) > 20000:
            self._origins.popitem(last=False)
        return origin

    def _source_run(self, group: GroupConfig, run: Mapping[str, Any] | None) -> SourceRun | None:
        if not run:
            return None
        info = run.get("info", {})
        run_id = info.get("run_id") or info.get("run_uuid")
        experiment = info.get("experiment_id")
        return SourceRun(
            id=run_id,
            name=info.get("run_name"),
            experiment_id=experiment,
            status=info.get("status"),
            start_time=_int(info.get("start_time")),
            end_time=_int(info.get("end_time")),
            tags=_pairs(run.get("data", {}).get("tags")),
            ui_url=self._ui(group, f"experiments/{experiment}/runs/{run_id}"),
        )

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

    def _logged_model(
        self, group: GroupConfig, body: Mapping[str, Any] | None
    ) -> LoggedModel | None:
        if not body or not body.get("model"):
            return None
        info, data = body["model"].get("info", {}), body["model"].get("data", {})
        model_id = info["model_id"]
        return LoggedModel(
            id=model_id,
            name=info.get("name"),
            experiment_id=info.get("experiment_id"),
            artifact_uri=info.get("artifact_uri"),
            status=info.get("status"),
            parameters=_pairs(data.get("params")),
            metrics=_metrics(data.get("metrics")),
            tags=_pairs(info.get("tags")),
            ui_url=self._ui(group, f"experiments/{info.get('experiment_id')}/models/{model_id}"),
        )

    @staticmethod
    def _ui(group: GroupConfig, fragment: str) -> str | None:
        return f"{group.ui_url}/#/{fragment}" if group.ui_url else None


async def _optional(
    client: MlflowRestClient, endpoint: str, params: dict[str, Any] | None, needed: str | None
) -> dict[str, Any] | None:
    """A call whose object may be absent or gone (a deleted run): None, not an error."""
    if not needed:
        return None
    try:
        return await client.get(endpoint, params)
    except NotFound:
        return None


async def _all(*calls: Any) -> list[Any]:
    """Like ``gather``, but the first failure cancels the others."""
    tasks = [asyncio.ensure_future(c) for c in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        _cancel(*tasks)
        raise


def _cancel(*futures: asyncio.Future[Any]) -> None:
    for f in futures:
        if not f.done():
            f.cancel()
        elif not f.cancelled():
            f.exception()  # retrieved: no "exception was never retrieved" warning
