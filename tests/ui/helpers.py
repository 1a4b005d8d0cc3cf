"""Page object of the Models sidebar (one place knows its selectors)."""

from __future__ import annotations

import uuid
from typing import Any

SIDEBAR = "#jp-primehub-models"
TAB = 'li[data-id="jp-primehub-models"]'


def new_workspace() -> str:
    """A JupyterLab workspace name nobody used: it opens empty, with no reset to run."""
    return f"test-{uuid.uuid4().hex[:12]}"


class ModelsSidebar:
    def __init__(self, page: Any, lab_url: str, token: str):
        self.page = page
        self.lab_url = lab_url
        self.token = token
        self.workspace: str | None = None

    async def open(self, reset: bool = True) -> None:
        """Load Lab and show the panel. ``reset``: in a workspace of its own, new and empty
        (what an earlier test left open, such as a notebook, stays out of this one);
        otherwise the same workspace as the last ``open`` (a reload keeps its state)."""
        if reset or self.workspace is None:
            self.workspace = new_workspace()
        await self.page.goto(f"{self.lab_url}/lab/workspaces/{self.workspace}?token={self.token}")
        await self.page.wait_for_selector(TAB, timeout=60_000)
        await self.settled()
        if not await self.page.is_visible(SIDEBAR):
            await self.page.click(TAB)
        await self.page.wait_for_selector(f"{SIDEBAR} .jp-PrimeHubModels-panel", timeout=30_000)

    async def settled(self) -> None:
        """Until Lab has finished starting: its layout is restored and a main-area widget
        (the launcher of an empty workspace) has taken the focus. Before that, Lab
        still moves the focus, which closes a command palette or a menu opened meanwhile."""
        # (a predicate must return a value, not a promise: a promise counts as truthy)
        await self.page.evaluate("() => window.jupyterapp.restored")
        # the router opens the launcher of an empty workspace after "restored"
        await self.page.wait_for_function(
            """() => Array.from(window.jupyterapp.shell.widgets('main'))
                .some(w => w.node.contains(document.activeElement))""",
            timeout=60_000,
        )

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

    async def widen(self, width: int = 460) -> None:
        """Drag the sidebar's split handle so screenshots show the panel at a usable width."""
        handle = self.page.locator("#jp-main-split-panel > .lm-SplitPanel-handle").first
        box = await handle.bounding_box()
        if box is None:
            return
        panel = await self.root.bounding_box()
        y = box["y"] + box["height"] / 2
        await self.page.mouse.move(box["x"] + 1, y)
        await self.page.mouse.down()
        await self.page.mouse.move((panel["x"] if panel else 33) + width, y, steps=5)
        await self.page.mouse.up()

    async def tab(self, name: str) -> None:
        await self.root.get_by_role("tab", name=name).click()

    async def search(self, text: str) -> None:
        await self.root.get_by_role("searchbox", name="Search models by name").fill(text)

    async def rendered_rows(self) -> int:
        return await self.root.locator(".jp-PrimeHubModels-modelRow").count()

    async def scroll_models_to_end(self) -> None:
        scroller = self.root.locator(".jp-PrimeHubModels-modelScroller")
        await scroller.evaluate("n => { n.scrollTop = n.scrollHeight; }")

    @property
    def dialog(self) -> Any:
        return self.page.locator(".jp-PrimeHubModels-deployDialog")

    async def phase(self) -> str:
        chip = self.root.locator(".jp-PrimeHubModels-viewHeader .jp-PrimeHubModels-phase")
        return await chip.get_attribute("data-phase") or ""

    async def wait_phase(self, phase: str, within_ms: float = 120_000) -> None:
        await self.root.locator(
            f'.jp-PrimeHubModels-viewHeader .jp-PrimeHubModels-phase[data-phase="{phase}"]'
        ).wait_for(timeout=within_ms)


def page_id(*segments: str) -> str:
    """The id of a main-area page (``src/pages.ts``): its segments percent-encoded as
    encodeURIComponent does, joined by ``/``."""
    from urllib.parse import quote

    return "primehub-models-page:" + "/".join(quote(s, safe="-_.!~*'()") for s in segments)


def main_page(page: Any, *segments: str) -> Any:
    """The main-area tab of a page (e.g. ``main_page(page, "team", "models", IRIS)``)."""
    return page.locator(f'[id="{page_id(*segments)}"]')
