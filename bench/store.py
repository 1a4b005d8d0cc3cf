"""Shared-store benchmark: the PostgreSQL store against the SQLite default, in one run.

    python bench/store.py [--versions 500] [--deployments 50] [--rounds 60]

Starts its own MLflow (bench/.data, filled once), a real PostgreSQL (tests/postgres.py),
and three Jupyter servers bound to the same MLflow: one on a SQLite store, two sharing
the PostgreSQL store. Each store holds the same 50 (stopped) deployments of the big
model's versions, so a versions page carries Deployed By. Then:

  (a) versions page with Deployed By (500 versions, 50 deployments), PostgreSQL vs SQLite,
      interleaved round by round: target ≤ 1.05x
  (b) a change made on one server, seen by the other: ``stop`` through the server that
      does not hold the lease, until that server answers the phase the lease holder's
      reconciler wrote (``Stopped``): the whole trip, target ≤ 1 s
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import BIG, DATA, TOKEN, Client, populate, summary, timed  # noqa: E402
from jupyter_primehub_models.deployments.record import Record, now_ms  # noqa: E402
from jupyter_primehub_models.deployments.store import Store  # noqa: E402
from tests.postgres import fresh_database, postgres_server  # noqa: E402
from tests.servers import jupyter_server, mlflow_server  # noqa: E402


async def fill(url: str, deployments: int, versions: int) -> list[str]:
    """``deployments`` stopped deployments of the big model, spread over its versions."""
    store = Store(url)
    ids = []
    for n in range(deployments):
        version = str(1 + n * versions // deployments)
        at = now_ms()
        record = Record(
            id=f"bench-{n:03d}-abcdef", grp="bench", name=f"bench {n}",
            model_uri=f"models:/{BIG}/{version}", model_name=BIG, served_version=version,
            replicas=1, access="private", desired="stopped", phase="Stopped", backend="local",
            created_at=at, updated_at=at, revision=1,
        )  # fmt: skip
        await store.insert(record)
        ids.append(record.id)
    store.close()
    return ids


async def measure(labs: dict[str, str], ids: list[str], rounds: int) -> dict[str, list[float]]:
    auth = {"Authorization": f"token {TOKEN}"}
    clients = {k: Client(f"{v}/primehub-models/api/groups/bench/", auth) for k, v in labs.items()}
    page = f"models/{quote(BIG, safe='')}/versions"
    for _ in range(5):  # warm-up
        for c in clients.values():
            await c.get(page)
    samples: dict[str, list[float]] = {}
    for _ in range(rounds):
        for label in ("sqlite", "postgresql"):
            samples.setdefault(f"(a) versions page, {label}", []).append(
                await timed(lambda c=clients[label]: c.get(page))
            )
    other = clients["postgresql, not the lease holder"]
    for n in range(min(rounds, 20)):
        deployment = ids[n % len(ids)]
        start = time.perf_counter()
        await other.post(f"deployments/{deployment}/stop", json={})
        while (await other.get(f"deployments/{deployment}"))["phase"] != "Stopped":  # noqa: ASYNC110 (another process's answer: nothing to wait on here)
            await asyncio.sleep(0.01)
        samples.setdefault("(b) change seen through the other server", []).append(
            (time.perf_counter() - start) * 1000
        )
    for c in clients.values():
        await c.close()
    return samples


def report(samples: dict[str, list[float]]) -> None:
    print(f"\n{'case':48} {'median ms':>10} {'p95 ms':>8}")
    for label, values in samples.items():
        median, p95 = summary(values)
        print(f"{label:48} {median:10.2f} {p95:8.2f}")
    pg, lite = (summary(samples[f"(a) versions page, {k}"]) for k in ("postgresql", "sqlite"))
    print(f"\n(a) PostgreSQL / SQLite: {pg[0] / lite[0]:.3f}x  p95 {pg[1] / lite[1]:.3f}x "
          "(target ≤ 1.05)")  # fmt: skip
    seen = summary(samples["(b) change seen through the other server"])
    print(f"(b) change seen: median {seen[0]:.0f} ms, p95 {seen[1]:.0f} ms (target ≤ 1000)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--versions", type=int, default=500)
    parser.add_argument("--deployments", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    with mlflow_server(DATA) as uri, postgres_server() as admin:
        populate(uri, 5000, args.versions)  # the registry the other benchmarks share
        pg_url = fresh_database(admin)
        run = DATA / f"store-{int(time.time())}"
        lite_url = f"sqlite:///{run / 'lite' / 'deployments.sqlite'}"
        (run / "lite").mkdir(parents=True)
        ids = asyncio.run(fill(lite_url, args.deployments, args.versions))
        asyncio.run(fill(pg_url, args.deployments, args.versions))

        def config(db_url: str) -> dict[str, Any]:
            return {
                "ServerApp": {"jpserver_extensions": {"jupyter_primehub_models": True}},
                "PrimeHubModels": {"groups": {"bench": {"tracking_uri": uri}}, "db_url": db_url},
                "LocalBackend": {"state_dir": str(run / "serving")},
            }

        with (
            jupyter_server(run / "a", config(lite_url), TOKEN) as lite,
            jupyter_server(run / "b", config(pg_url), TOKEN) as holder,
            jupyter_server(run / "c", config(pg_url), TOKEN) as other,
        ):
            labs = {"sqlite": lite, "postgresql": holder,
                    "postgresql, not the lease holder": other}  # fmt: skip
            samples = asyncio.run(measure(labs, ids, args.rounds))
    report(samples)


if __name__ == "__main__":
    main()
