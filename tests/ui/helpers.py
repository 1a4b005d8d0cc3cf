"""Page object of the Models sidebar (one place knows its selectors)."""

from __future__ import annotations

from typing import Any

SIDEBAR = "#jp-primehub-models"
TAB = 'li[data-id="jp-primehub-models"]'


class ModelsSidebar:
    def __init__(self, page: Any, lab_url: str, token: str):
        self.page = page
        self.lab_url = lab_url
        self.token = token

    async def open(self, path: str = "lab") -> None:
        await self.page.goto(f"{self.lab_url}/{path}?token={self.token}")
        await self.page.wait_for_selector(TAB, timeout=60_000)
        if not await self.page.is_visible(SIDEBAR):
            await self.page.click(TAB)
        await self.page.wait_for_selector(f"{SIDEBAR} .jp-PrimeHubModels-panel", timeout=30_000)

    @property
    def root(self) -> Any:
        return self.page.locator(SIDEBAR)

    async def group_options(self) -> list[str]:
        return await self.root.locator("select option").all_inner_texts()

    async def pick_group(self, label: str) -> None:
        await self.root.locator("select").select_option(label=label)

    async def banner(self, state: str) -> Any:
        locator = self.root.locator(f'.jp-PrimeHubModels-banner[data-state="{state}"]')
        await locator.wait_for(timeout=30_000)
        return locator

    async def model_names(self) -> list[str]:
        names = self.root.locator(".jp-PrimeHubModels-modelName")
        await names.first.wait_for(timeout=30_000)
        return await names.all_inner_texts()

    async def open_model(self, name: str) -> None:
        await self.root.get_by_role("button", name=name, exact=True).click()
        await self.root.locator(".jp-PrimeHubModels-table tbody tr").first.wait_for(timeout=30_000)

    async def version_rows(self) -> list[str]:
        rows = self.root.locator(".jp-PrimeHubModels-table tbody tr")
        await rows.first.wait_for(timeout=30_000)
        return [await r.get_attribute("data-version") or "" for r in await rows.all()]

    async def open_version(self, version: str) -> None:
        await self.root.get_by_role("button", name=f"Version {version}", exact=True).click()
        await self.root.locator('section[aria-label="Parameters"]').wait_for(timeout=30_000)
