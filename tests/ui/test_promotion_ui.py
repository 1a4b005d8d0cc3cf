"""Promotion in the browser: an alias set in version detail rolls its follower over (seen
in the Deployments tab); a canary added, promoted and rolled back from deployment detail."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import LiveLab
from tests.seed_registry import IRIS
from tests.ui.conftest import chromium_page, screenshot
from tests.ui.helpers import ModelsSidebar
from tests.ui.test_deploy_flow import lab_api

pytestmark = pytest.mark.browser


async def test_an_alias_set_in_version_detail_rolls_the_follower_over(
    live_lab: LiveLab, seeded: Any
) -> None:
    name = f"ui promo {uuid.uuid4().hex[:6]}"
    for made in (seeded[IRIS][0], seeded[IRIS][2]):
        status, _ = await lab_api(live_lab, "POST", f"groups/team/models/{name}/versions",
                                  {"model_id": made["model_id"]})  # fmt: skip
        assert status == 201
    status, _ = await lab_api(live_lab, "PUT", f"groups/team/models/{name}/aliases/prod",
                              {"version": "1"})  # fmt: skip
    assert status == 200
    follower = {"name": "ui follower", "model_uri": f"models:/{name}@prod"}
    status, made = await lab_api(live_lab, "POST", "groups/team/deployments", follower)
    assert status == 201, made
    deployment_id = made["id"]
    try:
        async with chromium_page(height=1000) as page:
            sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
            await sidebar.open()
            await sidebar.widen()
            await sidebar.banner("ok")
            await sidebar.search(name)
            await sidebar.open_model(name)
            await sidebar.open_version("2")

            aliases = sidebar.root.locator(".jp-PrimeHubModels-aliasEditor")
            await aliases.get_by_role("textbox", name="New alias").fill("prod")
            await aliases.get_by_role("button", name="Set alias").click()
            await aliases.locator('[data-alias="prod"]').wait_for(timeout=30_000)

            await sidebar.tab("Deployments")
            row = sidebar.root.locator(f'[data-deployment="{deployment_id}"]')
            await row.locator('.jp-PrimeHubModels-serving[data-serving="2"]').wait_for(
                timeout=30_000
            )
            assert "@prod (v2)" in await row.inner_text()
            await row.get_by_role("button", name="ui follower").click()
            await sidebar.wait_phase("Deployed", within_ms=180_000)
            history = sidebar.root.locator(".jp-PrimeHubModels-history li").first
            assert await history.get_attribute("data-action") == "alias_moved"

            # a canary beside it, from the split editor: 90 / 10
            traffic = sidebar.root.locator(".jp-PrimeHubModels-traffic")
            await traffic.get_by_role("button", name="Add a canary").click()
            await traffic.get_by_role("textbox", name="Model URI 2").fill(f"models:/{name}/1")
            await traffic.get_by_role("button", name="Save split").click()
            await traffic.locator('tbody tr[data-version="1"]').wait_for(timeout=30_000)
            assert await traffic.locator("tbody tr").count() == 2
            await sidebar.wait_phase("Deployed", within_ms=180_000)
            await screenshot(page, "deployment-canary.png")

            # promote the canary: one row, version 1; then roll back: the split again
            canary = traffic.locator('tbody tr[data-version="1"]')
            await canary.get_by_role("button", name="Promote").click()
            await page.wait_for_function(
                "() => document.querySelectorAll('.jp-PrimeHubModels-traffic tbody tr')"
                ".length === 1"
            )
            await sidebar.root.get_by_role("button", name="Roll back", exact=True).click()
            await page.wait_for_function(
                "() => document.querySelectorAll('.jp-PrimeHubModels-traffic tbody tr')"
                ".length === 2"
            )
            actions = [
                await li.get_attribute("data-action")
                for li in await sidebar.root.locator(".jp-PrimeHubModels-history li").all()
            ]
            assert actions[:3] == ["rollback", "promote", "update"], actions
        _, current = await lab_api(live_lab, "GET", f"groups/team/deployments/{deployment_id}")
        assert [(t["version"], t["weight"]) for t in current["traffic"]] == [("2", 90), ("1", 10)]
    finally:
        await lab_api(live_lab, "DELETE", f"groups/team/deployments/{deployment_id}")
