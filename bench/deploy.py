"""Deployment benchmark (local backend), each figure against its baseline in the same run.

    python bench/deploy.py [--starts 3] [--requests 800]

  1. POST create → Deployed, vs a bare ``mlflow models serve`` cold start to /ping
     (target ≤ 1.15x)
  2. scoring through the Jupyter proxy vs directly at the serving socket, concurrency 8,
     small payload: throughput ratio (target ≥ 0.90x) and p50 added latency
  3. versions page of a 500-version model with 50 deployments vs with none (≤ 1.05x)

Uses the registry of bench/registry.py (bench/.data; filled on first use).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import BIG, DATA, TOKEN, Client, populate, summary, timed  # noqa: E402
from jupyter_primehub_models.deployments.record import Record, now_ms  # noqa: E402
from jupyter_primehub_models.deployments.store import Store  # noqa: E402
from tests.servers import (  # noqa: E402
    BIN,
    child_env,
    free_port,
    jupyter_server,
    kill_recorded_processes,
    mlflow_server,
    stop,
)

MODEL = f"models:/{BIG}/1"
ROWS = {
    "columns": ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"],
    "data": [[5.1, 3.5, 1.4, 0.2]],
}


async def wait_ping(session: aiohttp.ClientSession, port: int, proc: Any) -> None:
    while True:
        if proc.poll() is not None:
            raise RuntimeError("mlflow models serve exited")
        try:
            async with session.get(f"http://127.0.0.1:{port}/ping") as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)


async def bare_start(uri: str, session: aiohttp.ClientSession) -> float:
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: ASYNC220 (the baseline is a plain process)
        [str(BIN / "mlflow"), "models", "serve", "-m", MODEL, "--env-manager", "local",
         "-h", "127.0.0.1", "-p", str(port), "-w", "1"],
        env=child_env(MLFLOW_TRACKING_URI=uri), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        await wait_ping(session, port, proc)
        return time.perf_counter() - start
    finally:
        stop(proc)


async def extension_start(ext: Client, name: str) -> tuple[float, str]:
    start = time.perf_counter()
    made = await ext.post("deployments", {"name": name, "model_uri": MODEL})
    while True:
        d = await ext.get(f"deployments/{made['id']}")
        if d["phase"] == "Deployed":
            return time.perf_counter() - start, d["id"]
        if d["phase"] == "Failed":
            raise RuntimeError(d["message"])
        await asyncio.sleep(0.05)


async def throughput(
    url: str, headers: dict[str, str], requests: int, unix_socket: str | None = None
) -> tuple[float, float]:
    """Requests per second at concurrency 8, and the median latency (ms)."""
    latencies: list[float] = []
    queue = iter(range(requests))
    connector = aiohttp.UnixConnector(path=unix_socket) if unix_socket else None
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:

        async def worker() -> None:
            for _ in queue:
                t = time.perf_counter()
                async with session.post(url, json={"dataframe_split": ROWS}) as r:
                    await r.read()
                    assert r.status == 200, r.status
                latencies.append((time.perf_counter() - t) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(8)))
        elapsed = time.perf_counter() - start
    return requests / elapsed, summary(latencies)[0]


async def fake_deployments(state: Path, count: int) -> None:
    """Stopped deployment records of the big model's versions (the join reads records)."""
    store = Store(state / "deployments.sqlite")
    at = now_ms()
    for i in range(count):
        version = str(500 - i * 2)
        uri = f"models:/{BIG}/{version}"
        await store.insert(Record(
            id=f"bench-{i}", grp="bench", name=f"bench {i}", model_uri=uri, model_name=BIG,
            served_version=version, replicas=1, access="private",
            desired="stopped", phase="Stopped", backend="local", created_at=at, updated_at=at,
            revision=1,
        ))  # fmt: skip
    store.close()


async def measure(lab: str, uri: str, state: Path, args: argparse.Namespace) -> None:
    ext = Client(f"{lab}/primehub-models/api/groups/bench/", {"Authorization": f"token {TOKEN}"})
    async with aiohttp.ClientSession() as session:
        bare, ours = [], []
        for i in range(args.starts):
            bare.append(await bare_start(uri, session))
            seconds, deployment_id = await extension_start(ext, f"start {i}")
            ours.append(seconds)
            if i < args.starts - 1:
                await ext.delete(f"deployments/{deployment_id}")
    b, o = summary(bare)[0], summary(ours)[0]
    print(f"1. create → Deployed: {o:.2f} s vs bare serve → /ping {b:.2f} s: {o / b:.2f}x "
          f"(target ≤ 1.15)")  # fmt: skip

    d = await ext.get(f"deployments/{deployment_id}")
    sock = d["endpoint"].removeprefix("unix:")  # the serving process's own socket
    direct_url = "http://localhost/invocations"
    proxy_url = f"{ext.base}deployments/{deployment_id}/invocations"
    auth = {"Authorization": f"token {TOKEN}"}
    await throughput(proxy_url, auth, 80)  # warm-up
    await throughput(direct_url, {}, 80, sock)
    direct_rps, direct_p50 = await throughput(direct_url, {}, args.requests, sock)
    proxy_rps, proxy_p50 = await throughput(proxy_url, auth, args.requests)
    print(f"2. scoring at concurrency 8: proxy {proxy_rps:.0f} req/s vs direct {direct_rps:.0f} "
          f"req/s: {proxy_rps / direct_rps:.2f}x (target ≥ 0.90); p50 {proxy_p50:.1f} ms vs "
          f"{direct_p50:.1f} ms (+{proxy_p50 - direct_p50:.1f} ms)")  # fmt: skip
    await ext.delete(f"deployments/{deployment_id}")

    page = f"models/{quote(BIG, safe='')}/versions"
    for _ in range(5):
        await ext.get(page)
    none = [await timed(lambda: ext.get(page)) for _ in range(40)]
    await fake_deployments(state, 50)
    with_50 = [await timed(lambda: ext.get(page)) for _ in range(40)]
    shown = sum(len(v["deployed_by"]) for v in (await ext.get(page))["versions"])
    n, w = summary(none)[0], summary(with_50)[0]
    print(f"3. versions page: {w:.1f} ms with 50 deployments ({shown} on this page) vs "
          f"{n:.1f} ms with none: {w / n:.2f}x (target ≤ 1.05)")  # fmt: skip
    await ext.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--requests", type=int, default=800)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    state = DATA / f"deploy-state-{os.getpid()}"
    with mlflow_server(DATA) as uri:
        populate(uri, 5000, 500)
        config = {
            "ServerApp": {"jpserver_extensions": {"jupyter_primehub_models": True}},
            "PrimeHubModels": {"groups": {"bench": {"tracking_uri": uri}}, "state_dir": str(state)},
            "LocalBackend": {"state_dir": str(state)},
        }
        try:
            with jupyter_server(DATA / "lab", config, TOKEN) as lab:
                asyncio.run(measure(lab, uri, state, args))
        finally:
            kill_recorded_processes(state)


if __name__ == "__main__":
    main()
