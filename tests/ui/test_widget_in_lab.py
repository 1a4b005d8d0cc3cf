"""JupyterLab renders a notebook cell's ModelsPanel(), and a user clicks through it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import LiveLab
from tests.seed_registry import IRIS
from tests.ui.conftest import DOCS, chromium_page

pytestmark = pytest.mark.browser


@pytest.mark.timeout(300)
async def test_models_panel_in_a_notebook(live_lab: LiveLab) -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "code", "execution_count": None, "id": "panel", "metadata": {},
                "outputs": [],
                "source": "from jupyter_primehub_models import ModelsPanel\nModelsPanel()",
            }
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    (live_lab.root / "notebooks" / "panel.ipynb").write_text(json.dumps(notebook))
    async with chromium_page(height=900) as page:
        await page.goto(f"{live_lab.url}/lab/tree/panel.ipynb?reset&token={live_lab.token}")
        await page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        await page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
            timeout=60_000
        )
        panel = page.locator(".jp-OutputArea .primehub-models-panel")
        seen = []
        for _ in range(3):  # a run requested while the kernel still connects can be lost
            await page.get_by_role("menuitem", name="Run", exact=True).click()
            await page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                # attached, then scrolled to: Lab's notebook windowing can report a
                # rendered output as not "visible" until it is scrolled into view
                await panel.wait_for(state="attached", timeout=40_000)
                break
            except Exception:
                seen.append(await page.locator(".jp-Notebook").first.inner_text())
        assert await panel.count() == 1, seen
        await panel.scroll_into_view_if_needed()
        status = panel.locator('[data-state="ok"]')
        await status.wait_for(timeout=60_000)
        assert "Connected to MLflow" in await status.inner_text()

        await panel.get_by_role("button", name=IRIS, exact=True).click()
        version = panel.get_by_role("button", name="Version 2", exact=True)
        await version.wait_for(timeout=30_000)
        await page.screenshot(path=str(DOCS / "widget-versions.png"))
        await version.click()
        detail = panel.get_by_text("Best on the validation set")
        await detail.wait_for(timeout=30_000)
        assert await panel.get_by_role("button", name="Deploy").first.is_visible()
        await page.screenshot(path=str(DOCS / "widget.png"))

        await panel.get_by_role("button", name="← Back").click()
        await version.wait_for(timeout=30_000)
