"""MLflow's JSON → the API's typed objects (models, versions, runs, logged models)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..groups import GroupConfig
from ..model_uri import version_uri
from ..models import DeployedBy, LoggedModel, RegisteredModel, SourceRun

LOGGED_MODEL_SOURCE = re.compile(r"^models:/(m-[0-9a-f]{32})(?:/|$)")


def pairs(items: Any) -> dict[str, str]:
    """MLflow's ``[{"key", "value"}]`` (tags, params) as a dict."""
    return {t["key"]: str(t.get("value", "")) for t in items or () if "key" in t}


def aliases_of(rm: Mapping[str, Any]) -> dict[str, str]:
    """A registered model's aliases: alias → version."""
    return {a["alias"]: str(a["version"]) for a in rm.get("aliases", ())}


def metrics(items: Any) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for m in items or ():
        value = m.get("value")
        if isinstance(value, str):  # MLflow writes NaN / Infinity as strings in JSON
            value = float(value) if value.lstrip("-").isalpha() else None
        out[m["key"]] = value if isinstance(value, (int, float)) and math.isfinite(value) else None
    return out


def to_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def logged_model_id(source: str | None) -> str | None:
    """The LoggedModel id of an MLflow 3 version whose source is ``models:/m-…``."""
    match = LOGGED_MODEL_SOURCE.match(source or "")
    return match.group(1) if match else None


def ui_link(group: GroupConfig, fragment: str) -> str | None:
    """A page of the group's MLflow UI (None when the group has no UI URL)."""
    return f"{group.ui_url}/#/{fragment}" if group.ui_url else None


def registered_model(group: GroupConfig, rm: Mapping[str, Any]) -> RegisteredModel:
    versions = [to_int(v.get("version")) for v in rm.get("latest_versions", ())]
    latest = max((v for v in versions if v is not None), default=None)
    return RegisteredModel(
        name=rm["name"],
        description=rm.get("description") or "",
        latest_version=str(latest) if latest is not None else None,
        creation_timestamp=to_int(rm.get("creation_timestamp")),
        last_updated_timestamp=to_int(rm.get("last_updated_timestamp")),
        tags=pairs(rm.get("tags")),
        aliases=aliases_of(rm),
        ui_url=ui_link(group, f"models/{quote(rm['name'], safe='')}"),
    )


def version_fields(
    mv: Mapping[str, Any],
    aliases: Mapping[str, str],
    deployed: Mapping[str, list[DeployedBy]],
) -> dict[str, Any]:
    """The fields every version answer has (list rows and the detail)."""
    version = str(mv["version"])
    return {
        "name": mv["name"],
        "version": version,
        "status": mv.get("status") or "READY",
        "creation_timestamp": to_int(mv.get("creation_timestamp")),
        "last_updated_timestamp": to_int(mv.get("last_updated_timestamp")),
        "run_id": mv.get("run_id") or None,
        "source": mv.get("source") or None,
        "model_id": logged_model_id(mv.get("source")),
        "aliases": sorted(a for a, v in aliases.items() if v == version),
        "model_uri": version_uri(mv["name"], version),
        "deployed_by": list(deployed.get(version, ())),
    }


def source_run(group: GroupConfig, run: Mapping[str, Any] | None) -> SourceRun | None:
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
        start_time=to_int(info.get("start_time")),
        end_time=to_int(info.get("end_time")),
        tags=pairs(run.get("data", {}).get("tags")),
        ui_url=ui_link(group, f"experiments/{experiment}/runs/{run_id}"),
    )


def logged_model(group: GroupConfig, body: Mapping[str, Any] | None) -> LoggedModel | None:
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
        parameters=pairs(data.get("params")),
        metrics=metrics(data.get("metrics")),
        tags=pairs(info.get("tags")),
        ui_url=ui_link(group, f"experiments/{info.get('experiment_id')}/models/{model_id}"),
    )
