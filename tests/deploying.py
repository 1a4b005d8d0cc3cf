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


async def until(check: Any, within: float, what: Any, every: float = 0.5) -> Any:
    """Poll ``await check()`` until it is truthy (returned); fail after ``within`` s
    saying ``what`` (a string, or a callable giving one then)."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            what = what() if callable(what) else what
            raise AssertionError(f"{what}: not within {within} s")
        await asyncio.sleep(every)


class RequestLoop:
    """Scores a deployment without pause from ``workers`` tasks, recording each status.
    ``async with RequestLoop(…) as requests:`` stops it however the block ends."""

    def __init__(self, api: Any, deployment_id: str, workers: int = 4, group: str = "team"):
        self.results: list[int] = []
        self._stop = asyncio.Event()
        self._more = asyncio.Event()

        async def loop() -> None:
            while not self._stop.is_set():
                self.results.append((await score(api, deployment_id, group=group)).status)
                self._more.set()

        self._tasks = [asyncio.ensure_future(loop()) for _ in range(workers)]

    async def more(self, count: int, within: float = 120) -> None:
        """Until ``count`` more answers arrived (requests that overlap what came before)."""
        target = len(self.results) + count
        async with asyncio.timeout(within):
            while len(self.results) < target:
                self._more.clear()
                await self._more.wait()

    async def stop(self) -> list[int]:
        self._stop.set()
        await asyncio.gather(*self._tasks)
        return self.results

    async def __aenter__(self) -> RequestLoop:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)


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


def open_sockets(pid: int) -> int:
    """How many sockets process ``pid`` holds (its listener, and each accepted connection)."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            count += os.readlink(fd).startswith("socket:[")
    return count


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


async def score(
    api: Any, deployment_id: str, payload: Any | None = None, group: str = "team", **kwargs: Any
) -> Any:
    return await api(
        "groups", group, "deployments", deployment_id, "invocations",
        method="POST", body=payload or {"dataframe_split": ROWS}, **kwargs,
    )  # fmt: skip
