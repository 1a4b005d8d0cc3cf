"""Sidebar benchmark in a real Chromium: first rows after opening the panel, and the DOM
size after scrolling through every model.

    python bench/ui.py [--models 5000] [--rounds 5]

Uses the registry of bench/registry.py (filled once, kept in bench/.data). Each round
loads a fresh Lab workspace with the sidebar closed, clicks the Models tab and waits for
the first model row; the same round times MLflow's own first page
(registered-models/search) for scale. Then it scrolls the list to its end, page token by
page token, and reports how many rows the DOM held at most (target: ≤ 200 for 5,000).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import API, DATA, TOKEN, Client, populate, summary, timed  # noqa: E402
from tests.servers import jupyter_server, mlflow_server  # noqa: E402
from tests.ui.conftest import chromium_page  # noqa: E402

ROWS = ".jp-PrimeHubModels-modelRow"
TAB = 'li[data-id="jp-primehub-models"]'


async def open_panel(page: Any, lab: str, workspace: str) -> float:
    await page.goto(f"{lab}/lab/workspaces/{workspace}?reset&token={TOKEN}")
    await page.wait_for_selector(TAB, timeout=60_000)
    if await page.is_visible("#jp-primehub-models"):
        await page.click(TAB)  # close it: the round measures opening it
        await page.wait_for_selector("#jp-primehub-models", state="hidden")
    start = time.perf_counter()
    await page.click(TAB)
    await page.wait_for_selector(ROWS, timeout=60_000)
    return (time.perf_counter() - start) * 1000


async def scroll_to_end(page: Any, expected: int) -> tuple[int, int, float]:
    """(rows loaded, most rows in the DOM at once, seconds)."""
    scroller = page.locator("#jp-primehub-models .jp-PrimeHubModels-modelScroller")
    listing = page.locator("#jp-primehub-models .jp-PrimeHubModels-modelList")
    most = 0
    start = time.perf_counter()
    deadline = start + 600
    while time.perf_counter() < deadline:
        await scroller.evaluate("n => { n.scrollTop = n.scrollHeight; }")
        await asyncio.sleep(0.05)
        most = max(most, await page.locator(ROWS).count())
        if await listing.get_attribute("aria-rowcount") == str(expected):
            break
    await scroller.evaluate("n => { n.scrollTop = n.scrollHeight; }")
    await asyncio.sleep(0.2)
    most = max(most, await page.locator(ROWS).count())
    loaded = int(await listing.get_attribute("aria-rowcount") or -1)
    return loaded, most, time.perf_counter() - start


async def measure(lab: str, uri: str, models: int, rounds: int) -> None:
    mlflow = Client(uri + API, {})
    opened: list[float] = []
    direct: list[float] = []
    try:
        async with chromium_page(width=1280, height=900) as page:
            for i in range(rounds + 1):
                took = await open_panel(page, lab, f"bench-{i}")
                first = await timed(
                    lambda: mlflow.get("registered-models/search", {"max_results": 100})
                )
                if i:  # round 0 warms the browser cache and the server
                    opened.append(took)
                    direct.append(first)
            loaded, most, seconds = await scroll_to_end(page, models)
    finally:
        await mlflow.close()
    o, d = summary(opened), summary(direct)
    print(f"open panel → first model rows:   median {o[0]:7.1f} ms  p95 {o[1]:7.1f} ms")
    print(f"  (MLflow's own first page:      median {d[0]:7.1f} ms  p95 {d[1]:7.1f} ms)")
    print(f"scrolled to the end: {loaded} models loaded in {seconds:.1f} s")
    print(f"most model rows in the DOM at once: {most}  (target ≤ 200)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=5000)
    parser.add_argument("--versions", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    with mlflow_server(DATA, workers=1) as uri:
        populate(uri, args.models, args.versions)
        config = {
            "ServerApp": {"jpserver_extensions": {"jupyter_primehub_models": True}},
            "PrimeHubModels": {"groups": {"bench": {"tracking_uri": uri}}},
        }
        with jupyter_server(DATA / "lab", config, TOKEN) as lab:
            asyncio.run(measure(lab, uri, args.models, args.rounds))


if __name__ == "__main__":
    main()
