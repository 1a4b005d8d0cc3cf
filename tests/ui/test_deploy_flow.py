"""Deploy from the sidebar, for real: dialog → Deployed → Deployed By → Try it → update."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests.conftest import LiveLab
from tests.seed_registry import IRIS
from tests.ui.conftest import chromium_page, screenshot
from tests.ui.helpers import ModelsSidebar

pytestmark = pytest.mark.browser


async def lab_api(lab: LiveLab, method: str, path: str, body: Any = None) -> Any:
    async with aiohttp.ClientSession() as http, http.request(
        method, f"{lab.api}/{path}", json=body,
        headers={"Authorization": f"token {lab.token}"},
    ) as r:  # fmt: skip
        return r.status, await r.json(content_type=None)


async def test_deploy_try_update_stop_delete(live_lab: LiveLab, seeded: Any) -> None:
    async with chromium_page(height=900) as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.widen()
        await sidebar.banner("ok")
        await sidebar.open_model(IRIS)
        row1 = sidebar.root.locator('tr[data-version="1"]')
        await row1.get_by_role("button", name="Deploy").click()

        dialog = sidebar.dialog
        await dialog.wait_for()
        uri = dialog.locator('input[name="model_uri"]')
        assert await uri.input_value() == f"models:/{IRIS}/1"
        name = dialog.locator('input[name="name"]')
        assert await name.input_value() == IRIS
        await screenshot(page, "deploy-dialog.png")

        # the server's validation message appears at the field; the dialog stays open
        await name.fill("   ")
        await dialog.get_by_role("button", name="Deploy").click()
        error = dialog.locator("#jp-PrimeHubModels-error-name")
        await error.wait_for()
        assert "name" in await error.inner_text()
        assert await name.get_attribute("aria-invalid") == "true"

        # a double click deploys once
        await name.fill("ui-iris")
        await dialog.get_by_role("button", name="Deploy").dblclick()
        await dialog.wait_for(state="detached", timeout=30_000)
        status, listed = await lab_api(live_lab, "GET", "groups/team/deployments")
        mine = [d for d in listed["deployments"] if d["name"] == "ui-iris"]
        assert status == 200 and len(mine) == 1, listed
        deployment_id = mine[0]["id"]
        try:
            # the panel shows the new deployment: phase progress until Deployed
            await sidebar.wait_phase("Deployed")
            endpoint = await sidebar.root.locator(".jp-PrimeHubModels-endpoint").inner_text()
            assert endpoint.endswith(f"/groups/team/deployments/{deployment_id}/invocations")

            # Try it: prefilled with the version's saved input example, answers predictions
            body = sidebar.root.get_by_role("textbox", name="Request body (JSON)")
            await page.wait_for_function(
                "el => el.value.includes('dataframe_split')", arg=await body.element_handle()
            )
            example = json.loads(await body.input_value())
            assert len(example["dataframe_split"]["data"]) == 3
            await sidebar.root.get_by_role("button", name="Send").click()
            answer = sidebar.root.locator(".jp-PrimeHubModels-answer")
            await answer.wait_for(timeout=30_000)
            assert await answer.get_attribute("data-status") == "200"
            predictions = json.loads(await answer.locator("pre").inner_text())["predictions"]
            assert len(predictions) == 3 and all(p in (0, 1, 2) for p in predictions)
            await screenshot(page, "deployment-detail.png")

            # the version now lists it under Deployed By, linking back to it
            await sidebar.root.get_by_role("button", name=f"models:/{IRIS}/1").click()
            link = sidebar.root.locator('.jp-PrimeHubModels-deployedBy:has-text("ui-iris")')
            await link.wait_for(timeout=30_000)
            assert await link.get_attribute("data-phase") == "Deployed"
            await link.click()
            await sidebar.wait_phase("Deployed")

            # update the same deployment to version 2 through the dialog
            await sidebar.root.get_by_role("button", name="Update…").click()
            await dialog.wait_for()
            select = dialog.get_by_role("combobox", name="Deployment")
            assert await select.input_value() == deployment_id
            await dialog.locator('input[name="model_uri"]').fill(f"models:/{IRIS}/2")
            await dialog.locator('input[name="model_uri"]').press("Enter")
            await dialog.wait_for(state="detached", timeout=30_000)
            history = sidebar.root.locator(".jp-PrimeHubModels-history li")
            await page.wait_for_function(
                "() => document.querySelectorAll('.jp-PrimeHubModels-history li').length === 2"
            )
            latest = await history.first.inner_text()
            assert "Updated" in latest and "v1 → v2" in latest, latest
            await sidebar.wait_phase("Deployed")
            status, current = await lab_api(
                live_lab, "GET", f"groups/team/deployments/{deployment_id}"
            )
            assert current["served_version"] == "2" and current["phase"] == "Deployed"

            # logs tail
            await sidebar.root.locator(".jp-PrimeHubModels-logs summary").click()
            logs = sidebar.root.locator(".jp-PrimeHubModels-logs pre")
            await page.wait_for_function(
                "el => el.textContent.length > 20 && !el.textContent.startsWith('Loading')",
                arg=await logs.element_handle(),
            )

            # stop (confirmed), then delete (confirmed) → back to the empty list
            await sidebar.root.get_by_role("button", name="Stop", exact=True).click()
            await page.locator(".jp-Dialog").get_by_role("button", name="Stop").click()
            await sidebar.wait_phase("Stopped")
            await sidebar.root.get_by_role("button", name="Delete", exact=True).click()
            confirm = page.locator(".jp-Dialog")
            assert "ui-iris" in await confirm.inner_text()
            await confirm.get_by_role("button", name="Delete").click()
            await sidebar.root.get_by_role("tab", name="Deployments", selected=True).wait_for()
            await sidebar.root.locator(f'[data-deployment="{deployment_id}"]').wait_for(
                state="detached", timeout=30_000
            )
        finally:
            await lab_api(live_lab, "DELETE", f"groups/team/deployments/{deployment_id}")


async def test_palette_deploys_the_version_in_view(live_lab: LiveLab) -> None:
    async with chromium_page() as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.banner("ok")
        await sidebar.open_model(IRIS)
        await sidebar.open_version("3")
        _, before = await lab_api(live_lab, "GET", "groups/team/deployments")
        await page.keyboard.press("Control+Shift+C")
        palette = page.locator(".lm-CommandPalette-input")
        try:
            await palette.wait_for(state="visible", timeout=10_000)
        except Exception as err:
            state = await page.evaluate(
                "() => ({active: document.activeElement?.outerHTML.slice(0, 300),"
                " dialogs: [...document.querySelectorAll('.jp-Dialog')].map(d => d.innerText)})"
            )
            raise AssertionError(f"the command palette did not open: {state}") from err
        await palette.fill("Deploy Model Version")
        await page.keyboard.press("Enter")
        dialog = sidebar.dialog
        await dialog.wait_for()
        assert await dialog.locator('input[name="model_uri"]').input_value() == (
            f"models:/{IRIS}/3"
        )
        # the version's aliases are offered; Escape closes without deploying
        await dialog.get_by_role("button", name="Follow @challenger").click()
        assert await dialog.locator('input[name="model_uri"]').input_value() == (
            f"models:/{IRIS}@challenger"
        )
        await page.keyboard.press("Escape")
        await dialog.wait_for(state="detached")
        status, after = await lab_api(live_lab, "GET", "groups/team/deployments")
        assert status == 200 and after["deployments"] == before["deployments"]
