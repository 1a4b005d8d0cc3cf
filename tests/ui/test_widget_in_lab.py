"""JupyterLab renders a notebook cell's ModelsPanel(), and a user clicks through it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import LiveLab
from tests.seed_registry import IRIS
from tests.ui.conftest import chromium_page, screenshot
from tests.ui.helpers import new_workspace

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
        workspace = new_workspace()
        await page.goto(
            f"{live_lab.url}/lab/workspaces/{workspace}/tree/panel.ipynb?token={live_lab.token}"
        )
        await page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        # Why a run could be lost: the page was opened with ?reset, and after Lab's layout
        # was restored its router reset the workspace and opened the notebook again, so a
        # run sent to the first notebook went to a widget being replaced. Now the page has
        # a workspace of its own (nothing to reset), and the run waits for what Galata's
        # helpers wait for: the notebook's session has a kernel whose websocket is
        # connected and which answered idle.
        notebook = "Array.from(window.jupyterapp.shell.widgets('main')).find(w => w.sessionContext)"
        await page.wait_for_function(f"() => Boolean({notebook})", timeout=60_000)
        await page.evaluate(f"async () => {{ await {notebook}.sessionContext.ready; }}")
        await page.wait_for_function(
            f"""() => {{
                const kernel = {notebook}.sessionContext.session?.kernel;
                return Boolean(kernel) && kernel.connectionStatus === 'connected'
                    && kernel.status === 'idle';
            }}""",
            timeout=60_000,
        )
        await page.get_by_role("menuitem", name="Run", exact=True).click()
        await page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        panel = page.locator(".jp-OutputArea .primehub-models-panel")
        # attached, then scrolled to: Lab's notebook windowing can report a rendered
        # output as not "visible" until it is scrolled into view
        await panel.wait_for(state="attached", timeout=60_000)
        assert await panel.count() == 1
        await panel.scroll_into_view_if_needed()
        status = panel.locator('[data-state="ok"]')
        await status.wait_for(timeout=60_000)
        assert "Connected to MLflow" in await status.inner_text()

        await panel.get_by_role("button", name=IRIS, exact=True).click()
        version = panel.get_by_role("button", name="Version 2", exact=True)
        await version.wait_for(timeout=30_000)
        await screenshot(page, "widget-versions.png")
        await version.click()
        detail = panel.get_by_text("Best on the validation set")
        await detail.wait_for(timeout=30_000)
        assert await panel.get_by_role("button", name="Deploy").first.is_visible()
        await screenshot(page, "widget.png")

        await panel.get_by_role("button", name="← Back").click()
        await version.wait_for(timeout=30_000)
