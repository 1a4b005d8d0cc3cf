"""A group removed from the configuration: its deployments stop (they never run with the
server's own environment), the store and the log say why, and when the group comes back
they serve again."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from tests.deploying import alive, pids, until, wait_for
from tests.seed_registry import IRIS

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def groups_file(tmp_path: Path, mlflow_uri: str) -> Path:
    path = tmp_path / "groups.json"
    path.write_text(json.dumps({"team": {"tracking_uri": mlflow_uri},
                                "temp": {"tracking_uri": mlflow_uri}}))  # fmt: skip
    return path


@pytest.fixture
def jp_server_config(jp_server_config: Config, groups_file: Path) -> Config:
    jp_server_config.PrimeHubModels.groups = {}
    jp_server_config.PrimeHubModels.groups_file = str(groups_file)
    return jp_server_config


def stored(state_dir: Path, deployment_id: str) -> tuple[str, str]:
    with contextlib.closing(sqlite3.connect(state_dir / "deployments.sqlite")) as conn:
        row = conn.execute("SELECT phase, message FROM deployments WHERE id = ?",
                           (deployment_id,)).fetchone()  # fmt: skip
    return row


async def test_a_removed_group_stops_serving_and_comes_back(
    api: Any, groups_file: Path, state_dir: Path, mlflow_uri: str
) -> None:
    made = await api("groups", "temp", "deployments", method="POST",
                     body={"name": "temporary", "model_uri": f"models:/{IRIS}/1"})  # fmt: skip
    assert made.status == 201, made.text
    d = await wait_for(api, "temp", made.body["id"], lambda b: b["phase"] == "Deployed")
    (first,) = pids(d, state_dir)

    groups_file.write_text(json.dumps({"team": {"tracking_uri": mlflow_uri}}))

    async def stopped() -> bool:
        phase, message = stored(state_dir, d["id"])
        return phase == "Stopped" and "group removed" in message and not alive(first)

    await until(stopped, 120, "the removed group's deployment stopping")
    assert (await api("groups", "temp", "deployments", d["id"])).status == 404
    log = (state_dir / "logs" / f"{d['id']}.log").read_text()
    assert "group removed" in log

    groups_file.write_text(json.dumps({"team": {"tracking_uri": mlflow_uri},
                                       "temp": {"tracking_uri": mlflow_uri}}))  # fmt: skip
    back = await wait_for(api, "temp", d["id"],
                          lambda b: b["phase"] == "Deployed" and not b["message"])  # fmt: skip
    (second,) = pids(back, state_dir)
    assert second != first
    environ = Path(f"/proc/{second}/environ").read_text()
    assert f"MLFLOW_TRACKING_URI={mlflow_uri}" in environ.split("\0")
    await api("groups", "temp", "deployments", d["id"], method="DELETE")
