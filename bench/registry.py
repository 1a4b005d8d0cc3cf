"""Registry benchmark: the extension's REST API vs direct MLflow REST, measured in one run.

    python bench/registry.py [--models 5000] [--versions 500] [--rounds 60]

Starts its own MLflow (SQLite, kept in bench/.data between runs; --mlflow-workers, 1 by
default: a single worker serves concurrent calls one after another, so (c) is also
reported against the four calls made concurrently) and a Jupyter server
bound to it, fills the registry once (N registered models, one model with M versions from
a real logged model), then times, interleaved round by round:

  (a) models, first page        vs registered-models/search
  (b) versions page              vs model-versions/search + registered-models/get, concurrent
  (b') versions page, run_data   vs the same + one batched runs/search
  (c) version detail             vs the slowest single MLflow call it needs

and prints median / p95 and the ratios (targets: a, b, b' ≤ 1.10; c ≤ 1.25).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    API,
    BIG,
    DATA,
    TOKEN,
    Client,
    populate,
    summary,
    timed,
)
from tests.servers import jupyter_server, mlflow_server  # noqa: E402


async def measure(lab: str, uri: str, state: dict[str, str], rounds: int) -> dict[str, Any]:
    ext = Client(f"{lab}/primehub-models/api/groups/bench/", {"Authorization": f"token {TOKEN}"})
    ml = Client(uri + API, {})
    big = quote(BIG, safe="")
    page = {"filter": f"name = '{BIG}'", "order_by": "version_number DESC", "max_results": "100"}

    async def ok(response: Awaitable[Any]) -> Any:
        return await response

    async def direct_versions() -> None:
        await asyncio.gather(
            ok(ml.get("model-versions/search", params=page)),
            ok(ml.get("registered-models/get", params={"name": BIG})),
        )

    async def direct_versions_run_data() -> None:
        await direct_versions()
        await ok(ml.post("runs/search", json={
            "experiment_ids": experiments, "filter": f"attributes.run_id IN ('{state['run_id']}')",
            "run_view_type": "ALL",
        }))  # fmt: skip

    found = await ok(ml.post("experiments/search", json={"max_results": 1000}))
    experiments = [e["experiment_id"] for e in found["experiments"]]
    detail_calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "model-versions/get": lambda: ok(
            ml.get("model-versions/get", params={"name": BIG, "version": "250"})
        ),
        "registered-models/get": lambda: ok(ml.get("registered-models/get", params={"name": BIG})),
        "runs/get": lambda: ok(ml.get("runs/get", params={"run_id": state["run_id"]})),
        "logged-models/get": lambda: ok(ml.get(f"logged-models/{state['model_id']}")),
    }
    cases: dict[str, tuple[Callable[[], Awaitable[Any]], Callable[[], Awaitable[Any]]]] = {
        "(a) models first page": (
            lambda: ok(ext.get("models")),
            lambda: ok(ml.get("registered-models/search", params={"max_results": "100"})),
        ),
        "(b) versions page": (
            lambda: ok(ext.get(f"models/{big}/versions")),
            direct_versions,
        ),
        "(b') versions page, run_data": (
            lambda: ok(ext.get(f"models/{big}/versions", params={"run_data": "true"})),
            direct_versions_run_data,
        ),
    }
    samples: dict[str, list[float]] = {}
    for _ in range(5):  # warm-up: connections, caches, MLflow's own
        for e, d in cases.values():
            await e()
            await d()
        await ok(ext.get(f"models/{big}/versions/250"))
    for _ in range(rounds):
        for label, (e, d) in cases.items():
            samples.setdefault(label + " ext", []).append(await timed(e))
            samples.setdefault(label + " mlflow", []).append(await timed(d))
        samples.setdefault("(c) version detail ext", []).append(
            await timed(lambda: ok(ext.get(f"models/{big}/versions/250")))
        )
        for name, call in detail_calls.items():
            samples.setdefault(f"(c) {name}", []).append(await timed(call))
        samples.setdefault("(c) all four, concurrent", []).append(
            await timed(lambda: asyncio.gather(*(c() for c in detail_calls.values())))
        )
    await ext.close()
    await ml.close()
    return samples


def report(samples: dict[str, list[float]]) -> None:
    print(f"\n{'case':44} {'median ms':>10} {'p95 ms':>8}")
    for label, values in samples.items():
        median, p95 = summary(values)
        print(f"{label:44} {median:10.2f} {p95:8.2f}")
    print("\nratios (extension / direct MLflow), median and p95:")
    for case, target in (
        ("(a) models first page", 1.10),
        ("(b) versions page", 1.10),
        ("(b') versions page, run_data", 1.10),
    ):
        e, d = summary(samples[case + " ext"]), summary(samples[case + " mlflow"])
        print(f"  {case:34} {e[0] / d[0]:5.2f}x  p95 {e[1] / d[1]:5.2f}x  (target ≤ {target:.2f})")
    slowest = max(
        (
            label
            for label in samples
            if label.startswith("(c) ") and "ext" not in label and "concurrent" not in label
        ),
        key=lambda label: summary(samples[label])[0],
    )
    e, d = summary(samples["(c) version detail ext"]), summary(samples[slowest])
    print(
        f"  {'(c) version detail':34} {e[0] / d[0]:5.2f}x  p95 {e[1] / d[1]:5.2f}x  "
        f"(target ≤ 1.25; slowest single call: {slowest[4:]})"
    )
    c = summary(samples["(c) all four, concurrent"])
    print(
        f"  {'(c) vs the four calls, concurrent':34} {e[0] / c[0]:5.2f}x  p95 {e[1] / c[1]:5.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=5000)
    parser.add_argument("--versions", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--mlflow-workers", type=int, default=1)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    with mlflow_server(DATA, workers=args.mlflow_workers) as uri:
        state = populate(uri, args.models, args.versions)
        config = {
            "ServerApp": {"jpserver_extensions": {"jupyter_primehub_models": True}},
            "PrimeHubModels": {"groups": {"bench": {"tracking_uri": uri}}},
        }
        with jupyter_server(DATA / "lab", config, TOKEN) as lab:
            samples = asyncio.run(measure(lab, uri, state, args.rounds))
    report(samples)


if __name__ == "__main__":
    main()
