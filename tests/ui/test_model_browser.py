"""Search, infinite scroll and virtualization; columns picker; Compare; source notebook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest

from tests.conftest import LiveLab
from tests.seed_registry import CHINESE, IRIS
from tests.servers import mlflow_call
from tests.ui.conftest import chromium_page, screenshot
from tests.ui.helpers import ModelsSidebar, main_page

pytestmark = pytest.mark.browser

BULK = 300


@pytest.fixture
def bulk_models(mlflow_uri: str) -> Iterator[list[str]]:
    """Hundreds of registered models, only for the length of one test."""
    names = [f"bulk-{i:04d}" for i in range(BULK)]
    create = partial(mlflow_call, mlflow_uri, "registered-models/create")
    delete = partial(mlflow_call, mlflow_uri, "registered-models/delete", method="DELETE")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: create({"name": n}), names))
        try:
            yield names
        finally:
            list(pool.map(lambda n: delete({"name": n}), names))


async def test_search_and_scroll_hundreds_of_models(
    live_lab: LiveLab, bulk_models: list[str]
) -> None:
    async with chromium_page() as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.banner("ok")
        await sidebar.model_names()
        await sidebar.search("bulk-")
        await page.wait_for_function(
            "() => document.querySelector('.jp-PrimeHubModels-modelName')"
            "?.textContent === 'bulk-0000'"
        )
        listing = sidebar.root.locator(".jp-PrimeHubModels-modelList")
        # scroll until the list knows it has everything (pages of 100 → 3 pages): each
        # scroll to the end fetches the next page, and the list grows when it lands
        scroller = sidebar.root.locator(".jp-PrimeHubModels-modelScroller")
        while await listing.get_attribute("aria-rowcount") != str(BULK):
            height = await scroller.evaluate("n => n.scrollHeight")
            await sidebar.scroll_models_to_end()
            await page.wait_for_function(
                """([h]) => {
                    const list = document.querySelector('.jp-PrimeHubModels-modelList');
                    const box = document.querySelector('.jp-PrimeHubModels-modelScroller');
                    return list.getAttribute('aria-rowcount') !== '-1' || box.scrollHeight > h;
                }""",
                arg=[height],
            )
        assert await listing.get_attribute("aria-rowcount") == str(BULK)
        await sidebar.scroll_models_to_end()
        last = sidebar.root.get_by_role("button", name=bulk_models[-1], exact=True)
        await last.wait_for()
        assert await last.is_visible()
        assert await sidebar.rendered_rows() < 60  # virtualized: only rows near the view
        assert "300 models" in await sidebar.root.locator(".jp-PrimeHubModels-count").inner_text()

        # a narrower search; then one that matches nothing
        await sidebar.search("bulk-012")
        await page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-PrimeHubModels-modelName')]"
            ".map(e => e.textContent).join(',') === "
            + json.dumps(",".join(f"bulk-{i:04d}" for i in range(120, 130)))
        )
        await sidebar.search("no-such-model-anywhere")
        # (the same placeholder says "Loading models…" first: wait for the answer's text)
        empty = sidebar.root.locator(".jp-PrimeHubModels-empty", has_text="no-such-model-anywhere")
        await empty.wait_for()
        assert await sidebar.root.locator(".jp-PrimeHubModels-modelName").count() == 0


async def test_columns_picker_is_remembered_and_compare_marks_differences(
    live_lab: LiveLab,
) -> None:
    """In the model's main-area tab (the room the sidebar lacks): run columns, remembered
    across a reload; Compare opens a tab of its own."""
    async with chromium_page() as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.banner("ok")
        await sidebar.model_names()
        await sidebar.open_model(IRIS)
        tab = main_page(page, "team", "models", IRIS)
        await tab.locator("tbody tr").first.wait_for(timeout=30_000)
        async with page.expect_request(lambda r: "run_data=true" in r.url):
            await tab.get_by_role("button", name="Columns").click()
        picker = tab.get_by_role("dialog", name="Columns")
        # the choice goes to the state database, which JupyterLab saves in the workspace:
        # wait for the save that holds both columns (an earlier save may hold only one)
        async with page.expect_request(
            lambda r: (
                "/lab/api/workspaces" in r.url
                and r.method == "PUT"
                and "accuracy" in (r.post_data or "")
            ),
            timeout=15_000,
        ):
            await picker.get_by_label("C", exact=True).check()
            await picker.get_by_label("accuracy", exact=True).check()
        await page.keyboard.press("Escape")
        header = tab.locator("thead th[data-column]")
        assert await header.all_inner_texts() == ["C", "accuracy"]
        cells = tab.locator('td[data-column="param:C"]')
        assert await cells.all_inner_texts() == ["10.0", "1.0", "0.1"]
        await screenshot(page, "versions-columns.png")

        # a reload keeps the tab and the choice (JupyterLab's layout and state database)
        await sidebar.open(reset=False)
        await tab.locator('td[data-column="metric:accuracy"]').first.wait_for(timeout=30_000)
        assert await header.all_inner_texts() == ["C", "accuracy"]

        # compare versions 1 and 3: parameters side by side, differing rows marked
        await tab.get_by_label("Select version 1").check()
        compare = tab.get_by_role("button", name="Compare (1)")
        assert await compare.is_disabled()
        await tab.get_by_label("Select version 3").check()
        await tab.get_by_role("button", name="Compare (2)").click()
        compared = main_page(page, "team", "models", IRIS, "compare", "1,3")
        table = compared.get_by_role("table", name="Compared versions")
        await table.wait_for(timeout=30_000)
        c_row = table.locator('tr[data-key="C"]')
        assert await c_row.get_attribute("class") == "jp-mod-different"
        assert (await c_row.locator("td").all_inner_texts()) == ["0.1", "10.0"]
        same = table.locator('tr[data-key="max_iter"]')
        assert await same.get_attribute("class") is None
        await screenshot(page, "compare.png")

        # clear the columns for the other tests
        await page.locator(".lm-DockPanel-tabBar li", has_text=IRIS).first.click()
        await tab.get_by_role("button", name="Columns (2)").click()
        await tab.get_by_role("dialog", name="Columns").get_by_role("button", name="Clear").click()


async def test_source_notebook_opens_in_lab(
    live_lab: LiveLab, seeded: Any, mlflow_uri: str
) -> None:
    notebook = live_lab.root / "notebooks" / "lineage" / "train.ipynb"
    notebook.parent.mkdir(exist_ok=True)
    notebook.write_text(
        json.dumps(
            {
                "cells": [],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    run_id = seeded[CHINESE][0]["run_id"]
    tag = {"run_id": run_id, "key": "primehub.notebook", "value": str(notebook)}
    mlflow_call(mlflow_uri, "runs/set-tag", tag)
    try:
        async with chromium_page() as page:
            sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
            await sidebar.open()
            await sidebar.banner("ok")
            await sidebar.model_names()
            await sidebar.open_model(CHINESE)
            await sidebar.open_version("1")
            link = sidebar.root.locator(".jp-PrimeHubModels-sourceNotebook")
            assert await link.inner_text() == "lineage/train.ipynb"
            await link.click()
            tab = page.locator('.lm-DockPanel-tabBar li[title*="train.ipynb"]')
            await tab.wait_for(timeout=30_000)
    finally:
        mlflow_call(mlflow_uri, "runs/set-tag", {**tag, "value": ""})
