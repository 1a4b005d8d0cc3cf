"""The scripting API's writes: aliases, descriptions and tags, registering a run's model,
traffic splits, promote and rollback (``pm.set_alias(…)``, ``pm.promote(…)``). The same
services as the REST API, through ``scripting``'s runner."""

from __future__ import annotations

from .models import Deployment, LoggedModel, ModelVersion, RegisteredModel, VersionDetail
from .scripting import _group, _runner


def set_alias(name: str, alias: str, version: str | int, *, group: str | None = None
              ) -> RegisteredModel:  # fmt: skip
    """Point ``alias`` at ``version`` (set, or moved); deployments following it roll over."""
    g, body = _group(group), {"version": str(version)}
    return _runner.run(lambda s: s.writes.set_alias(g, name, alias, body))


def delete_alias(name: str, alias: str, *, group: str | None = None) -> RegisteredModel:
    g = _group(group)
    return _runner.run(lambda s: s.writes.delete_alias(g, name, alias))


def edit_model(name: str, *, description: str | None = None,
               tags: dict[str, str | None] | None = None, group: str | None = None
               ) -> RegisteredModel:  # fmt: skip
    """A model's description and tags (a tag set to None is deleted)."""
    g, body = _group(group), {"description": description, "tags": tags}
    return _runner.run(lambda s: s.writes.edit_model(g, name, body))


def edit_version(name: str, version: str | int, *, description: str | None = None,
                 tags: dict[str, str | None] | None = None, group: str | None = None
                 ) -> VersionDetail:  # fmt: skip
    """A version's description and tags (a tag set to None is deleted)."""
    g, body = _group(group), {"description": description, "tags": tags}
    return _runner.run(lambda s: s.writes.edit_version(g, name, str(version), body))


def register_version(name: str, model_id: str, *, run_id: str | None = None,
                     description: str = "", group: str | None = None) -> ModelVersion:  # fmt: skip
    """A run's logged model (``model_id``, ``m-…``) as a new version of ``name``."""
    g = _group(group)
    body = {"model_id": model_id, "run_id": run_id, "description": description}
    return _runner.run(lambda s: s.writes.register(g, name, body))


def run_models(run_id: str, *, group: str | None = None) -> list[LoggedModel]:
    """The models a run logged (what ``register_version`` takes)."""
    g = _group(group)
    return _runner.run(lambda s: s.writes.run_models(g, run_id))


def split(deployment_id: str, traffic: dict[str, int], *, group: str | None = None
          ) -> Deployment:  # fmt: skip
    """Serve ``{model_uri: weight}`` (weights summing to 100); new weights alone restart
    nothing."""
    g = _group(group)
    body = {"traffic": [{"model_uri": u, "weight": w} for u, w in traffic.items()]}
    return _runner.run(lambda s: s.deployments.update(g, deployment_id, body))


def promote(deployment_id: str, model_uri: str | None = None, *, group: str | None = None
            ) -> Deployment:  # fmt: skip
    """All traffic to ``model_uri`` (default: the canary)."""
    g, body = _group(group), {"model_uri": model_uri}
    return _runner.run(lambda s: s.deployments.promote(g, deployment_id, body))


def rollback(deployment_id: str, to: int | None = None, *, group: str | None = None
             ) -> Deployment:  # fmt: skip
    """Serve again what history entry ``to`` served (default: what served before)."""
    g, body = _group(group), {"to": to}
    return _runner.run(lambda s: s.deployments.rollback(g, deployment_id, body))
