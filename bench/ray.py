"""Ray backend benchmark: scoring throughput at concurrency 8 through the Jupyter proxy,
the ray backend against the local backend in the same run, and 2 Ray replicas against 1.

    python bench/ray.py [--requests 800]

Starts its own MLflow (bench/.data), a local Ray head (loopback, 4 logical CPUs) and two
Jupyter servers bound to the same MLflow: one with deploy_backend=local, one with ray.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import DATA, TOKEN, Client, populate  # noqa: E402
from bench.deploy import extension_start, throughput  # noqa: E402
from tests.servers import jupyter_server, kill_recorded_processes, mlflow_server, ray_head  # noqa: E402


async def rate(ext: Client, deployment_id: str, requests: int) -> tuple[float, float]:
    url = f"{ext.base}deployments/{deployment_id}/invocations"
    auth = {"Authorization": f"token {TOKEN}"}
    await throughput(url, auth, 80)  # warm-up
    return await throughput(url, auth, requests)


async def settled(ext: Client, deployment_id: str) -> None:
    while True:
        d = await ext.get(f"deployments/{deployment_id}")
        if d["phase"] == "Deployed" and not d["message"]:
            return
        await asyncio.sleep(0.2)


async def measure(local_lab: str, ray_lab: str, requests: int) -> None:
    auth = {"Authorization": f"token {TOKEN}"}
    local = Client(f"{local_lab}/primehub-models/api/groups/bench/", auth)
    ray = Client(f"{ray_lab}/primehub-models/api/groups/bench/", auth)
    try:
        _, local_id = await extension_start(local, "bench local")
        local_rps, local_p50 = await rate(local, local_id, requests)
        await local.delete(f"deployments/{local_id}")

        seconds, ray_id = await extension_start(ray, "bench ray")
        one_rps, one_p50 = await rate(ray, ray_id, requests)
        d = await ray.get(f"deployments/{ray_id}")
        two = {"replicas": 2, "revision": d["revision"]}
        patch = await ray.session.patch(f"{ray.base}deployments/{ray_id}", json=two)
        patch.raise_for_status()
        await asyncio.sleep(3)
        await settled(ray, ray_id)
        two_rps, two_p50 = await rate(ray, ray_id, requests)
        await ray.delete(f"deployments/{ray_id}")
    finally:
        await local.close()
        await ray.close()
    print(f"ray: create → Deployed {seconds:.1f} s")
    print(f"throughput at concurrency 8 through the proxy: local {local_rps:.0f} req/s "
          f"(p50 {local_p50:.1f} ms), ray 1 replica {one_rps:.0f} req/s (p50 {one_p50:.1f} ms): "
          f"{one_rps / local_rps:.2f}x")  # fmt: skip
    print(f"ray 2 replicas {two_rps:.0f} req/s (p50 {two_p50:.1f} ms): "
          f"{two_rps / one_rps:.2f}x of 1 replica (2 cores shared by all)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=800)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    state = DATA / f"ray-state-{os.getpid()}"
    with mlflow_server(DATA) as uri, ray_head(DATA / f"ray-{os.getpid()}") as head:
        populate(uri, 5000, 500)
        base = {
            "ServerApp": {"jpserver_extensions": {"jupyter_primehub_models": True}},
            "LocalBackend": {"state_dir": str(state / "local")},
        }
        local = {**base, "PrimeHubModels": {"groups": {"bench": {"tracking_uri": uri}},
                                            "state_dir": str(state / "local")}}  # fmt: skip
        ray = {
            **base,
            "PrimeHubModels": {"groups": {"bench": {"tracking_uri": uri}},
                               "state_dir": str(state / "ray"), "deploy_backend": "ray"},
            "RayBackend": {"address": head["address"], "http_port": head["serve_port"],
                           "num_cpus": 0.5},
        }  # fmt: skip
        try:
            with (
                jupyter_server(DATA / "lab-local", local, TOKEN) as local_lab,
                jupyter_server(DATA / "lab-ray", ray, TOKEN) as ray_lab,
            ):
                asyncio.run(measure(local_lab, ray_lab, args.requests))
        finally:
            kill_recorded_processes(state / "local")


if __name__ == "__main__":
    main()
