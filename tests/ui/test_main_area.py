"""The Models page in the main area, for real: the sidebar at JupyterLab's default width
keeps Version and Deploy in view; a model opens as a tab a reload restores; a deep link
opens its version in a fresh page; the metric chart draws the API's values; "Models from
this notebook" lists what a kernel of that notebook registered."""

from __future__ import annotations

import json
import textwrap
import urllib.parse
import uuid
from typing import Any

import aiohttp
import pytest

from tests.conftest import LiveLab
from tests.kernels import run_in_notebook_kernel
from tests.seed_registry import IRIS
from tests.ui.conftest import chromium_page, screenshot
from tests.ui.helpers import ModelsSidebar, main_page, new_workspace

pytestmark = pytest.mark.browser


async def lab_get(lab: LiveLab, path: str, **params: str) -> Any:
    async with aiohttp.ClientSession() as http, http.get(
        f"{lab.api}/{path}", params=params, headers={"Authorization": f"token {lab.token}"}
    ) as r:  # fmt: skip
        assert r.status == 200, await r.text()
        return await r.json()


async def inside(outer: Any, inner: Any) -> bool:
    """Whether ``inner``'s bounding box lies within ``outer``'s (both visible)."""
    a, b = await outer.bounding_box(), await inner.bounding_box()
    return bool(a and b) and (
        b["x"] >= a["x"] - 0.5
        and b["x"] + b["width"] <= a["x"] + a["width"] + 0.5
        and b["y"] >= a["y"] - 0.5
    )


async def test_the_sidebar_fits_its_default_width_and_a_model_opens_a_tab(
    live_lab: LiveLab,
) -> None:
    async with chromium_page(height=900) as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()  # (not widened: JupyterLab's default sidebar width)
        await sidebar.banner("ok")
        await sidebar.model_names()
        panel = sidebar.root
        width = (await panel.bounding_box())["width"]
        assert width <= 320, width  # the default, not a widened panel
        await sidebar.open_model(IRIS)
        for version in ("3", "2", "1"):
            row = panel.locator(f'tr[data-version="{version}"]')
            assert await inside(panel, row.get_by_role("button", name=f"Version {version}"))
            assert await inside(panel, row.get_by_role("button", name="Deploy"))
        assert "@champion" in await panel.locator('tr[data-version="2"]').inner_text()
        scroller = panel.locator(".jp-PrimeHubModels-tableScroller")
        assert await scroller.evaluate("n => n.scrollWidth <= n.clientWidth"), "scrolls sideways"

        # the model also opened as a main-area tab, with the room for everything
        tab = main_page(page, "team", "models", IRIS)
        await tab.locator("tbody tr").first.wait_for(timeout=30_000)
        assert await tab.locator("tbody tr").count() == 3
        assert "Registered At" in await tab.locator("thead").inner_text()
        label = page.locator(".lm-DockPanel-tabBar li.lm-mod-current .lm-TabBar-tabLabel")
        assert await label.inner_text() == IRIS
        await screenshot(page, "models-page.png")

        # opening it again activates the same tab (one tab per thing)
        await panel.get_by_role("button", name="← Models").click()
        await sidebar.open_model(IRIS)
        tabs = page.locator(".lm-DockPanel-tabBar li", has_text=IRIS)
        assert await tabs.count() == 1

        # a reload restores it (JupyterLab's layout restorer)
        await sidebar.open(reset=False)
        await tab.locator("tbody tr").first.wait_for(timeout=30_000)
        assert await page.locator(".lm-DockPanel-tabBar li", has_text=IRIS).count() == 1


async def test_a_deep_link_opens_its_version_in_a_fresh_page(live_lab: LiveLab) -> None:
    value = f"team/models/{urllib.parse.quote(IRIS, safe='')}/2"
    link = (
        f"{live_lab.url}/lab/workspaces/{new_workspace()}?token={live_lab.token}"
        f"&primehub-models={urllib.parse.quote(value, safe='')}"
    )
    async with chromium_page() as page:
        await page.goto(link)
        version = main_page(page, "team", "models", IRIS, "2")
        await version.locator('section[aria-label="Parameters"]').wait_for(timeout=60_000)
        assert f"models:/{IRIS}/2" in await version.inner_text()
        label = page.locator(".lm-DockPanel-tabBar li.lm-mod-current .lm-TabBar-tabLabel")
        assert await label.inner_text() == f"{IRIS} v2"
        assert "primehub-models=" not in page.url  # taken out once open

        # "Copy link" gives the same kind of link back (read as the copy event carries it)
        await page.evaluate(
            """() => document.addEventListener('copy', e => {
                window.copiedText = e.clipboardData.getData('text');
            })"""
        )
        await version.locator(".jp-Toolbar").get_by_text("Copy link").click()
        copied = await page.evaluate("() => window.copiedText")
        assert copied.startswith(live_lab.url + "/lab?"), copied
        query = urllib.parse.parse_qs(urllib.parse.urlparse(copied).query)
        assert query["primehub-models"] == [f"team/models/{IRIS}/2"], copied


async def test_the_metric_chart_draws_the_apis_values(live_lab: LiveLab) -> None:
    expected = await lab_get(live_lab, f"groups/team/models/{IRIS}/versions", run_data="true")
    values = {v["version"]: v["metrics"]["accuracy"] for v in expected["versions"]}
    aliases = {v["version"]: v["aliases"] for v in expected["versions"]}
    async with chromium_page(height=900) as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.banner("ok")
        await sidebar.model_names()
        await sidebar.open_model(IRIS)
        tab = main_page(page, "team", "models", IRIS)
        chart = tab.locator('section[aria-label="Metric across versions"]')
        picker = chart.locator("select")
        await picker.focus()  # the runs' data loads when the picker is opened
        await picker.locator('option[value="metric:accuracy"]').wait_for(
            state="attached", timeout=30_000
        )
        await picker.select_option("metric:accuracy")
        points = chart.locator(".jp-PrimeHubModels-chartPoint")
        await points.first.wait_for(timeout=30_000)
        drawn = {
            await p.get_attribute("data-version"): (
                float(await p.get_attribute("data-value") or "nan"),
                (await p.get_attribute("data-aliases") or "").split(),
                await p.locator("circle").get_attribute("cy"),
            )
            for p in await points.all()
        }
        assert set(drawn) == set(values)
        for version, (value, marked, cy) in drawn.items():
            assert value == pytest.approx(values[version]), version
            assert marked == aliases[version]  # aliases written on their versions
            assert cy is not None and float(cy) > 0  # placed on the canvas
        await screenshot(page, "metric-chart.png")


async def test_models_from_this_notebook(live_lab: LiveLab, mlflow_uri: str) -> None:
    name = f"nb-model-{uuid.uuid4().hex[:6]}"
    folder = live_lab.root / "notebooks" / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    empty = {"cells": [], "metadata": {"kernelspec": {"name": "python3",
             "display_name": "Python 3"}}, "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    (folder / "train here.ipynb").write_text(json.dumps(empty))
    code = textwrap.dedent(f"""
        import warnings; warnings.filterwarnings("ignore")
        import mlflow
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        mlflow.set_tracking_uri({mlflow_uri!r})
        mlflow.set_experiment("pages")
        X, y = load_iris(return_X_y=True, as_frame=True)
        with mlflow.start_run():     # tagged with this notebook by the context provider
            mlflow.sklearn.log_model(LogisticRegression(max_iter=300).fit(X, y),
                                     name="model", registered_model_name={name!r})
        print("registered")
    """)
    out = await run_in_notebook_kernel(live_lab.url, live_lab.token, "pages/train here.ipynb",
                                       code)  # fmt: skip
    assert "registered" in out
    async with chromium_page(height=900) as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.banner("ok")
        await page.evaluate(
            "() => window.jupyterapp.commands.execute('docmanager:open',"
            " {path: 'pages/train here.ipynb'}).then(() => null)"
        )
        button = page.locator(
            '.jp-NotebookPanel-toolbar [data-command="primehub-models:notebook-models"]'
        )
        await button.first.wait_for(timeout=60_000)
        await button.first.click()
        listed = main_page(page, "team", "notebooks", "pages/train here.ipynb")
        row = listed.locator(f'tr[data-model="{name}"]')
        await row.wait_for(timeout=30_000)
        assert await row.get_attribute("data-version") == "1"
        assert "Models from train here.ipynb" in await listed.inner_text()
        await screenshot(page, "notebook-models.png")
        # its version opens as a tab of its own
        await row.get_by_role("button", name="Version 1").click()
        version = main_page(page, "team", "models", name, "1")
        await version.locator('section[aria-label="Parameters"]').wait_for(timeout=30_000)
