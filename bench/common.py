"""What the benchmarks share: a filled registry, one client for both sides, statistics."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from tests.servers import child_env

ROOT = Path(__file__).resolve().parent.parent
API = "/api/2.0/mlflow/"
DATA = ROOT / "bench" / ".data"
BIG = "bench-big-model"
TOKEN = "bench-" + "7" * 40


def populate(uri: str, models: int, versions: int) -> dict[str, str]:
    """Fill the registry once; later runs find it filled and only read it back."""
    client = httpx.Client(base_url=uri + API, timeout=60)
    state_file = DATA / "state.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    if state.get("models") == models and state.get("versions") == versions:
        return state
    print(f"populating: {models} registered models, one with {versions} versions", flush=True)
    logged = subprocess.run(
        [sys.executable, "-c", LOG_ONE_MODEL, uri], capture_output=True, text=True, check=True,
        env=child_env(),
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    run_id, model_id = logged.split()

    def create(i: int) -> None:
        client.post("registered-models/create", json={"name": f"bench-model-{i:05d}"})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(models - 1)))
    client.post("registered-models/create", json={"name": BIG})
    for _ in range(versions):
        r = client.post(
            "model-versions/create",
            json={
                "name": BIG,
                "source": f"models:/{model_id}",
                "run_id": run_id,
                "model_id": model_id,
            },
        )
        if r.status_code != 200:
            raise RuntimeError(f"model-versions/create: {r.status_code} {r.text[:500]}")
    client.post("registered-models/alias", json={"name": BIG, "alias": "champion", "version": "7"})
    state = {"models": models, "versions": versions, "run_id": run_id, "model_id": model_id}
    state_file.write_text(json.dumps(state))
    return state


LOG_ONE_MODEL = """
import sys, warnings, mlflow
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
warnings.filterwarnings("ignore")
mlflow.set_tracking_uri(sys.argv[1])
mlflow.set_experiment("bench")
X, y = load_iris(return_X_y=True, as_frame=True)
with mlflow.start_run() as run:
    mlflow.log_params({f"param_{i}": i for i in range(20)})
    mlflow.log_metrics({f"metric_{i}": i / 10 for i in range(20)})
    info = mlflow.sklearn.log_model(LogisticRegression(max_iter=300).fit(X, y), name="model")
print(run.info.run_id, info.model_id)
"""


class Client:
    """The same pooled aiohttp client for both sides; it waits for and parses each answer."""

    def __init__(self, base: str, headers: dict[str, str]):
        self.base = base
        self.session = aiohttp.ClientSession(headers=headers)

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        async with self.session.get(self.base + path, params=params) as r:
            r.raise_for_status()
            return await r.json()

    async def post(self, path: str, json: dict[str, Any]) -> Any:
        async with self.session.post(self.base + path, json=json) as r:
            r.raise_for_status()
            return await r.json()

    async def delete(self, path: str) -> Any:
        async with self.session.delete(self.base + path) as r:
            r.raise_for_status()
            return await r.json()

    async def close(self) -> None:
        await self.session.close()


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await call()
    return (time.perf_counter() - start) * 1000
