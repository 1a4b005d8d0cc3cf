"""``RegistryWrites``: aliases, descriptions and tags of models and versions, and a run's
logged model registered as a new version — through the group's MLflow REST API with the
group's credentials, so MLflow's own refusals keep their meaning (an auth server's 403 is
``FORBIDDEN`` with its message; a missing model or version is ``NOT_FOUND``).

An alias that moves here is news for the deployments that follow it: ``on_alias_moved``
(the alias follower) rolls them over at once, without waiting for its next poll.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ..errors import ApiError, Conflict, InvalidArgument, NotFound
from ..models import LoggedModel, ModelVersion, RegisteredModel, VersionDetail, parse_as
from ..request_bodies import AliasSet, RegistryEdit, VersionCreate, check_alias
from . import mapping
from .service import VERSION, RegistryService

log = logging.getLogger(__name__)
AliasMoved = Callable[[str, str], Awaitable[None]]


async def _nothing(group: str, model: str) -> None:
    return None


class RegistryWrites:
    def __init__(self, registry: RegistryService, on_alias_moved: AliasMoved = _nothing):
        self.registry = registry
        #: (group, model): an alias of the model was set, moved or deleted here
        self.on_alias_moved = on_alias_moved

    # -- aliases ---------------------------------------------------------------------------

    async def set_alias(self, group: str, model: str, alias: str, body: Any) -> RegisteredModel:
        """Point ``alias`` at a version (set, or moved from another one)."""
        alias = _alias(alias)
        version = parse_as(AliasSet, body).version
        _, client = self.registry.client(group)
        await _named(
            client.post("registered-models/alias",
                        {"name": model, "alias": alias, "version": version}),
            f"No version {version!r} of model {model!r}",
        )  # fmt: skip
        await self.on_alias_moved(group, model)
        return await self.registry.get_model(group, model)

    async def delete_alias(self, group: str, model: str, alias: str) -> RegisteredModel:
        alias = _alias(alias)
        found = await self.registry.get_model(group, model)
        if alias not in found.aliases:
            raise NotFound(f"Model {model!r} has no alias {alias!r}")
        _, client = self.registry.client(group)
        await _named(
            client.delete("registered-models/alias", {"name": model, "alias": alias}),
            f"Model {model!r} has no alias {alias!r}",
        )
        await self.on_alias_moved(group, model)
        return await self.registry.get_model(group, model)

    # -- descriptions and tags -------------------------------------------------------------

    async def edit_model(self, group: str, model: str, body: Any) -> RegisteredModel:
        edit = parse_as(RegistryEdit, body)
        _, client = self.registry.client(group)
        await self.registry.get_model(group, model)  # (NOT_FOUND before any write)
        calls = [
            client.post("registered-models/set-tag", {"name": model, "key": key, "value": value})
            if value is not None
            else client.delete("registered-models/delete-tag", {"name": model, "key": key})
            for key, value in (edit.tags or {}).items()
        ]
        if edit.description is not None:
            update = {"name": model, "description": edit.description}
            calls.append(client.patch("registered-models/update", update))
        await _all(calls, f"No registered model named {model!r}")
        return await self.registry.get_model(group, model)

    async def edit_version(self, group: str, model: str, version: str, body: Any) -> VersionDetail:
        edit = parse_as(RegistryEdit, body)
        if not VERSION.match(version):
            raise NotFound(f"No version {version!r} of model {model!r}")
        _, client = self.registry.client(group)
        which = {"name": model, "version": version}
        await _named(client.get("model-versions/get", which),
                     f"No version {version!r} of model {model!r}")  # fmt: skip
        calls = [
            client.post("model-versions/set-tag", {**which, "key": key, "value": value})
            if value is not None
            else client.delete("model-versions/delete-tag", {**which, "key": key})
            for key, value in (edit.tags or {}).items()
        ]
        if edit.description is not None:
            calls.append(
                client.patch("model-versions/update", {**which, "description": edit.description})
            )
        await _all(calls, f"No version {version!r} of model {model!r}")
        return await self.registry.get_version(group, model, version)

    # -- registering -----------------------------------------------------------------------

    async def register(self, group: str, model: str, body: Any) -> ModelVersion:
        """A run's logged model as a new version of ``model`` (made first if it does not
        exist, as ``mlflow.register_model`` does, and removed again if the version cannot
        be made: a refused request leaves nothing behind)."""
        spec = parse_as(VersionCreate, body)
        _check_model_name(model)
        _, client = self.registry.client(group)
        logged = await _named(client.get(f"logged-models/{spec.model_id}"),
                              f"No logged model {spec.model_id!r}")  # fmt: skip
        run_id = spec.run_id or logged.get("model", {}).get("info", {}).get("source_run_id")
        made_model = True
        try:
            await client.post("registered-models/create", {"name": model})
        except Conflict:
            made_model = False  # (it exists: a new version of it)
        request: dict[str, Any] = {
            "name": model, "source": f"models:/{spec.model_id}", "model_id": spec.model_id,
            "description": spec.description,
        }  # fmt: skip
        if run_id:
            request["run_id"] = run_id
        try:
            made = await client.post("model-versions/create", request)
        except ApiError:
            if made_model:
                try:
                    await client.delete("registered-models/delete", {"name": model})
                except ApiError as err:  # (said, and the version's own error is answered)
                    log.warning("PrimeHub Models: cannot remove the model %r made for a "
                                "refused version: %s", model, err.message)  # fmt: skip
            raise
        return ModelVersion(**mapping.version_fields(made.get("model_version") or {}, {}, {}))

    async def run_models(self, group: str, run_id: str) -> list[LoggedModel]:
        """The models a run logged (what ``register`` takes)."""
        config, client = self.registry.client(group)
        run = await _named(client.get("runs/get", {"run_id": run_id}), f"No run {run_id!r}")
        experiment = run.get("run", {}).get("info", {}).get("experiment_id")
        found = await client.post(
            "logged-models/search",
            {"experiment_ids": [experiment], "filter": f"source_run_id = '{run_id}'",
             "max_results": 100},
        )  # fmt: skip
        models = [mapping.logged_model(config, {"model": m}) for m in found.get("models") or ()]
        return [m for m in models if m is not None]


def _alias(alias: str) -> str:
    try:
        return check_alias(alias)
    except ValueError as err:
        raise InvalidArgument(f"alias: {err}", field="alias") from None


def _check_model_name(name: str) -> None:
    if not name.strip() or "/" in name or ":" in name or not name.isprintable():
        raise InvalidArgument(
            "name: printable text without '/' or ':' (MLflow's rule)", field="name"
        )


async def _named(call: Awaitable[dict[str, Any]], missing: str) -> dict[str, Any]:
    """The call's answer; MLflow's refusal of a name it cannot hold is ``NOT_FOUND``."""
    try:
        return await call
    except NotFound:
        raise NotFound(missing) from None


async def _all(calls: list[Awaitable[dict[str, Any]]], missing: str) -> None:
    results = await asyncio.gather(*(_named(c, missing) for c in calls), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
