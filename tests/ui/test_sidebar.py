"""The Models sidebar in a real JupyterLab, in a real Chromium."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from tests import servers
from tests.conftest import LiveLab
from tests.seed_registry import CHINESE, IRIS, ODD
from tests.ui.conftest import chromium_page, screenshot
from tests.ui.helpers import ModelsSidebar

pytestmark = pytest.mark.browser


async def test_sidebar_lists_groups_and_shows_each_status(live_lab: LiveLab, down_uri: str) -> None:
    async with chromium_page() as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.widen(400)
        options = await sidebar.group_options()
        assert options[0] == "Team A"  # the default group, selected
        assert "No MLflow (MLflow not configured)" in options
        assert {"basic", "down"} <= set(options)

        ok = await sidebar.banner("ok")
        assert "Connected to MLflow" in await ok.inner_text()
        assert {IRIS, ODD, CHINESE} <= set(await sidebar.model_names())
        await screenshot(page, "sidebar.png")

        await sidebar.pick_group("down")
        down = await sidebar.banner("unreachable")
        text = await down.inner_text()
        assert "MLflow not reachable" in text
        assert down_uri.removeprefix("http://") in text  # the configured host
        assert await down.get_by_role("button", name="Retry").is_visible()
        await screenshot(page, "sidebar-unreachable.png")

        await sidebar.pick_group("No MLflow (MLflow not configured)")
        nc = await sidebar.banner("not_configured")
        assert "MLflow setting not configured" in await nc.inner_text()
        assert "tracking_uri" in await nc.inner_text()


async def test_retry_rechecks_the_status(
    live_lab: LiveLab, mlflow_uri: str, comeback_uri: str
) -> None:
    """MLflow is down, then comes back on its address: Retry asks again and the panel
    connects (a changed state, not the banner that was already there)."""
    async with chromium_page() as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.banner("ok")
        await sidebar.pick_group("comeback")
        banner = await sidebar.banner("unreachable")
        assert await sidebar.root.locator(".jp-PrimeHubModels-modelName").count() == 0
        port = int(comeback_uri.rsplit(":", 1)[1])
        with servers.forwarder(port, mlflow_uri):
            async with page.expect_response(lambda r: "/groups/comeback/status" in r.url) as answer:
                await banner.get_by_role("button", name="Retry").click()
            assert (await answer.value).status == 200
            ok = await sidebar.banner("ok")
            assert "Connected to MLflow" in await ok.inner_text()
            assert IRIS in await sidebar.model_names()
        assert await sidebar.root.locator('[data-state="unreachable"]').count() == 0


async def test_browse_model_versions_and_version_detail(live_lab: LiveLab, seeded: Any) -> None:
    async with chromium_page() as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.widen()
        await sidebar.banner("ok")
        await sidebar.model_names()
        await sidebar.open_model(IRIS)
        assert await sidebar.version_rows() == ["3", "2", "1"]
        row2 = sidebar.root.locator('tr[data-version="2"]')
        assert "@champion" in await row2.inner_text()
        await screenshot(page, "versions.png")

        await sidebar.open_version("2")
        params = sidebar.root.locator('section[aria-label="Parameters"]')
        assert "C" in await params.inner_text() and "1.0" in await params.inner_text()
        metrics = await sidebar.root.locator('section[aria-label="Metrics"]').inner_text()
        assert "accuracy" in metrics and "f1" in metrics
        run = sidebar.root.locator("a.jp-PrimeHubModels-sourceRun")
        made = seeded[IRIS][1]
        assert (await run.get_attribute("href")).endswith(
            f"/#/experiments/{made['experiment_id']}/runs/{made['run_id']}"
        )
        assert await run.get_attribute("target") == "_blank"
        assert f"models:/{IRIS}/2" in await sidebar.root.inner_text()
        await screenshot(page, "version-detail.png")

        await sidebar.root.get_by_role("button", name="← Versions").click()
        assert await sidebar.version_rows() == ["3", "2", "1"]
        await sidebar.root.get_by_role("button", name="← Models").click()
        assert IRIS in await sidebar.model_names()

        # an awkward name round-trips through the URL encoding
        await sidebar.open_model(ODD)
        assert await sidebar.version_rows() == ["2", "1"]


async def test_leaving_a_view_cancels_its_request(live_lab: LiveLab) -> None:
    """A slow version detail is aborted when the user goes back, and never lands late."""
    async with chromium_page() as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.banner("ok")
        await sidebar.model_names()
        await sidebar.open_model(IRIS)
        arrived, release, answered = asyncio.Event(), asyncio.Event(), asyncio.Event()
        failures: list[str] = []

        async def held(route: Any) -> None:
            arrived.set()
            await release.wait()  # held until the user has left the view
            with contextlib.suppress(Exception):  # the browser aborted it: nothing to send
                await route.continue_()
            answered.set()

        def failed(request: Any) -> None:
            if "/versions/2?" in request.url:
                failures.append(request.failure or "")

        page.on("requestfailed", failed)
        # (Jupyter's ServerConnection adds a cache-busting query string)
        await page.route(lambda url: "/iris-classifier/versions/2?" in url, held)
        await sidebar.root.get_by_role("button", name="Version 2", exact=True).click()
        async with asyncio.timeout(30):
            await arrived.wait()
        async with page.expect_event("requestfailed", lambda r: "/versions/2?" in r.url):
            await sidebar.root.get_by_role("button", name="← Versions").click()
        assert failures and "ABORTED" in failures[0].upper(), failures
        assert await sidebar.version_rows() == ["3", "2", "1"]
        release.set()  # now the server's answer may come: it has nowhere to land
        async with asyncio.timeout(30):
            await answered.wait()
        assert await sidebar.root.locator('section[aria-label="Parameters"]').count() == 0
        assert await sidebar.version_rows() == ["3", "2", "1"]
        await page.unroute_all()
