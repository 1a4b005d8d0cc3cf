"""Run queries of the registry: a page's run data in one ``runs/search``, and the runs a
notebook produced (lineage), with the group's experiment ids cached briefly."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..groups import GroupConfig
from ..lineage import NOTEBOOK_TAG
from ..mlflow_client import MlflowRestClient
from .filters import quote_literal, run_ids_filter

#: The most a lineage query collects (pages of MAX_PAGE).
MAX_PAGE = 1000
MAX_FOUND = 10 * MAX_PAGE


class RunQueries:
    def __init__(self, experiments_ttl: float = 30.0):
        self._ttl = experiments_ttl
        self._experiments: dict[str, tuple[float, list[str]]] = {}

    async def experiment_ids(
        self, group: GroupConfig, client: MlflowRestClient, *, fresh: bool = False
    ) -> list[str]:
        """Every experiment of the group's MLflow (``runs/search`` needs them listed);
        ``fresh``: asked now, not from the cache."""
        held = self._experiments.get(group.name)
        if not fresh and held is not None and time.monotonic() - held[0] < self._ttl:
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

    async def of_versions(
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
        found = await _search(client, run_ids, experiment_ids)
        if len(found) < len(run_ids) and group.name in self._experiments:
            del self._experiments[group.name]  # a run in an experiment made since we looked
            fresh = await self.experiment_ids(group, client)
            if set(fresh) != set(experiment_ids):
                found = await _search(client, run_ids, fresh)
        return found

    async def of_notebook(
        self, group: GroupConfig, client: MlflowRestClient, notebook: str
    ) -> list[str]:
        """Ids of the runs tagged with this notebook path: one ``runs/search`` by tag, in
        the experiments as they are now (a notebook's first run may have made one)."""
        literal = quote_literal(notebook)
        experiments = await self.experiment_ids(group, client, fresh=True)
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
            if not token or len(ids) >= MAX_FOUND:
                break
        return ids


async def versions_of_runs(
    client: MlflowRestClient, run_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """Every version registered from these runs' models (``model-versions/search`` pages)."""
    where = run_ids_filter(sorted(set(run_ids)), "run_id")
    if where is None:
        return []
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {"filter": where, "max_results": MAX_PAGE}
        if token:
            params["page_token"] = token
        page = await client.get("model-versions/search", params)
        found.extend(page.get("model_versions", ()))
        token = page.get("next_page_token")
        if not token or len(found) >= MAX_FOUND:
            break
    return found


async def _search(
    client: MlflowRestClient, run_ids: list[str], experiment_ids: list[str]
) -> dict[str, dict[str, Any]]:
    where = run_ids_filter(run_ids)
    if not experiment_ids or where is None:
        return {}
    body = await client.post(
        "runs/search",
        {
            "experiment_ids": experiment_ids,
            "filter": where,
            "run_view_type": "ALL",
            "max_results": len(run_ids),
        },
    )
    return {r["info"]["run_id"]: r for r in body.get("runs", ())}
