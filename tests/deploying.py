"""Helpers of the deployment tests: waiting for phases, reading pids, scoring."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from tests.seed_registry import IRIS

ROWS = {
    "columns": ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"],
    "data": [
        [5.1, 3.5, 1.4, 0.2],
        [6.7, 3.0, 5.2, 2.3],
        [5.9, 3.0, 4.2, 1.5],
        [6.3, 2.5, 5.0, 1.9],
    ],
}


async def wait_for(api: Any, group: str, deployment_id: str, ok: Any, within: float = 240) -> Any:
    """Poll the deployment until ``ok(body)``; fail with its last state after ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        r = await api("groups", group, "deployments", deployment_id)
        if r.status == 200 and ok(r.body):
            return r.body
        if time.monotonic() > deadline:
            raise AssertionError(f"deployment never got there: {r.body}")
        await asyncio.sleep(0.5)


def pids(deployment: dict[str, Any], state_dir: Path) -> list[int]:
    """The serving processes the store records for a deployment."""
    with contextlib.closing(sqlite3.connect(state_dir / "deployments.sqlite")) as conn:
        row = conn.execute("SELECT runtime FROM deployments WHERE id = ?", (deployment["id"],))
        found = row.fetchone()
    return [r["pid"] for r in json.loads(found[0]).get("replicas", ())] if found else []


def ports(deployment: dict[str, Any], state_dir: Path) -> list[int]:
    with contextlib.closing(sqlite3.connect(state_dir / "deployments.sqlite")) as conn:
        row = conn.execute("SELECT runtime FROM deployments WHERE id = ?", (deployment["id"],))
        found = row.fetchone()
    return [r["port"] for r in json.loads(found[0]).get("replicas", ())] if found else []


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", "rb") as f:
        return f.read().split(b") ", 1)[1][:1] != b"Z"


def model_predictions(mlflow_uri: str, version: str) -> list[Any]:
    """What the registered model itself predicts for ROWS (loaded with mlflow.pyfunc)."""
    import mlflow
    import pandas as pd

    mlflow.set_tracking_uri(mlflow_uri)
    model = mlflow.pyfunc.load_model(f"models:/{IRIS}/{version}")
    frame = pd.DataFrame(ROWS["data"], columns=ROWS["columns"])
    return [int(p) for p in model.predict(frame)]


async def score(api: Any, deployment_id: str, payload: Any | None = None, **kwargs: Any) -> Any:
    return await api(
        "groups", "team", "deployments", deployment_id, "invocations",
        method="POST", body=payload or {"dataframe_split": ROWS}, **kwargs,
    )  # fmt: skip
