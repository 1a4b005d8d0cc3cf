"""Promotion benchmark (local backend), each figure measured in one run.

    python bench/promotion.py [--interval 10] [--requests 2000]

  1. an alias moved in MLflow itself (not through us) under a request loop: seconds until
     every answer carries the new version (X-Model-Version), split into the wait for the
     follower's look (target ≤ the poll interval) and the swap; failed requests (target 0)
  2. a 90/10 split over ``--requests`` requests: the canary's share (target 10 % ± 2.5 %)
  3. proxy throughput at concurrency 8 with the 90/10 split vs one version: the weighted
     routing's cost (same run; reported, no SPEC target)

Uses the registry of bench/registry.py (bench/.data; filled on first use): versions of
its big model are the same logged model, so both sides serve the same thing.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import BIG, DATA, TOKEN, Client, populate  # noqa: E402
from bench.deploy import ROWS, throughput  # noqa: E402
from tests.servers import jupyter_server, kill_recorded_processes, mlflow_server  # noqa: E402

ALIAS = "bench-prod"


async def until_deployed(ext: Client, deployment_id: str) -> dict[str, Any]:
    while True:
        d = await ext.get(f"deployments/{deployment_id}")
        if d["phase"] == "Deployed" and not d["message"]:
            return d
        if d["phase"] == "Failed":
            raise RuntimeError(d["message"])
        await asyncio.sleep(0.1)


async def set_alias(uri: str, version: str) -> None:
    async with aiohttp.ClientSession() as http, http.post(
        f"{uri}/api/2.0/mlflow/registered-models/alias",
        json={"name": BIG, "alias": ALIAS, "version": version},
    ) as r:  # fmt: skip
        assert r.status == 200, await r.text()


async def alias_rollover(ext: Client, uri: str, interval: float) -> None:
    await set_alias(uri, "1")
    made = await ext.post(
        "deployments", {"name": "follower", "model_uri": f"models:/{BIG}@{ALIAS}"}
    )
    await until_deployed(ext, made["id"])
    url = f"{ext.base}deployments/{made['id']}/invocations"
    statuses: collections.Counter[int] = collections.Counter()
    last_old = 0.0
    first_new: float | None = None
    stop = asyncio.Event()
    headers = {"Authorization": f"token {TOKEN}"}

    async with aiohttp.ClientSession(headers=headers) as session:

        async def loop() -> None:
            nonlocal last_old, first_new
            while not stop.is_set():
                async with session.post(url, json={"dataframe_split": ROWS}) as r:
                    await r.read()
                    statuses[r.status] += 1
                    now = time.perf_counter()
                    if r.headers.get("X-Model-Version") == "2":
                        first_new = first_new or now
                    else:
                        last_old = now

        workers = [asyncio.ensure_future(loop()) for _ in range(4)]
        await asyncio.sleep(1)  # the loop runs before the move
        moved, moved_at = time.perf_counter(), time.time()
        await set_alias(uri, "2")
        d = await ext.get(f"deployments/{made['id']}")
        while d["history"][-1]["action"] != "alias_moved":
            await asyncio.sleep(0.1)
            d = await ext.get(f"deployments/{made['id']}")
        noticed = d["history"][-1]["at"] / 1000 - moved_at  # (one machine: one clock)
        await until_deployed(ext, made["id"])
        await asyncio.sleep(1)  # only the new version answers now
        stop.set()
        await asyncio.gather(*workers)
    served = max(last_old, first_new or last_old) - moved
    failed = sum(n for s, n in statuses.items() if s != 200)
    print(f"1. alias moved in MLflow → every answer from the new version: {served:.1f} s "
          f"(noticed after {noticed:.1f} s, target ≤ {interval:g} s poll interval; the swap "
          f"{served - noticed:.1f} s); {sum(statuses.values())} requests, {failed} failed "
          f"(target 0)")  # fmt: skip
    await ext.delete(f"deployments/{made['id']}")


async def split(ext: Client, requests: int) -> None:
    one = await ext.post("deployments", {"name": "single", "model_uri": f"models:/{BIG}/1"})
    traffic = [{"model_uri": f"models:/{BIG}/1", "weight": 90},
               {"model_uri": f"models:/{BIG}/2", "weight": 10}]  # fmt: skip
    two = await ext.post("deployments", {"name": "canary", "traffic": traffic})
    await until_deployed(ext, one["id"])
    await until_deployed(ext, two["id"])
    headers = {"Authorization": f"token {TOKEN}"}
    seen: collections.Counter[str] = collections.Counter()
    url = f"{ext.base}deployments/{two['id']}/invocations"
    gate = asyncio.Semaphore(8)
    async with aiohttp.ClientSession(headers=headers) as session:

        async def score() -> None:
            async with gate, session.post(url, json={"dataframe_split": ROWS}) as r:
                await r.read()
                seen[r.headers.get("X-Model-Version", "?")] += 1

        await asyncio.gather(*(score() for _ in range(requests)))
    share = seen["2"] / requests
    print(f"2. 90/10 split over {requests} requests: canary share {share:.1%} "
          f"(target 10 % ± 2.5 %) {dict(seen)}")  # fmt: skip

    single_url = f"{ext.base}deployments/{one['id']}/invocations"
    await throughput(single_url, headers, 80)
    await throughput(url, headers, 80)
    single_rps, single_p50 = await throughput(single_url, headers, 800)
    split_rps, split_p50 = await throughput(url, headers, 800)
    print(f"3. proxy throughput, 90/10 split {split_rps:.0f} req/s vs one version "
          f"{single_rps:.0f} req/s: {split_rps / single_rps:.2f}x; p50 {split_p50:.1f} ms vs "
          f"{single_p50:.1f} ms")  # fmt: skip
    for d in (one, two):
        await ext.delete(f"deployments/{d['id']}")


async def measure(lab: str, uri: str, args: argparse.Namespace) -> None:
    ext = Client(f"{lab}/primehub-models/api/groups/bench/", {"Authorization": f"token {TOKEN}"})
    try:
        await alias_rollover(ext, uri, args.interval)
        await split(ext, args.requests)
    finally:
        await ext.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interval", type=float, default=10.0, help="alias_poll_interval")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    state = DATA / f"promotion-state-{os.getpid()}"
    with mlflow_server(DATA) as uri:
        populate(uri, 5000, 500)
        config = {
            "ServerApp": {"jpserver_extensions": {"jupyter_primehub_models": True}},
            "PrimeHubModels": {"groups": {"bench": {"tracking_uri": uri}}, "state_dir": str(state),
                               "alias_poll_interval": args.interval},
            "LocalBackend": {"state_dir": str(state)},
        }  # fmt: skip
        try:
            with jupyter_server(DATA / "lab", config, TOKEN) as lab:
                asyncio.run(measure(lab, uri, args))
        finally:
            kill_recorded_processes(state)


if __name__ == "__main__":
    main()
