"""Themes (light, dark, high contrast) and the Traditional Chinese catalog, in the browser."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.conftest import LiveLab
from tests.seed_registry import IRIS
from tests.ui.conftest import chromium_page, screenshot
from tests.ui.helpers import ModelsSidebar, main_page

pytestmark = pytest.mark.browser

THEMES = "@jupyterlab/apputils-extension:themes"
LANGUAGE = "@jupyterlab/translation-extension:plugin"


@contextlib.asynccontextmanager
async def lab_setting(lab: LiveLab, plugin: str, values: dict[str, Any]) -> AsyncIterator[None]:
    """User settings of the live Lab for one test, put back to the defaults after."""

    async def put(raw: dict[str, Any]) -> None:
        async with aiohttp.ClientSession() as http, http.put(
            f"{lab.url}/lab/api/settings/{plugin}",
            json={"raw": json.dumps(raw)},
            headers={"Authorization": f"token {lab.token}"},
        ) as r:  # fmt: skip
            assert r.status == 204, await r.text()

    await put(values)
    try:
        yield
    finally:
        await put({})


async def background_luminance(sidebar: ModelsSidebar) -> float:
    return await sidebar.root.evaluate(
        """node => {
            const [r, g, b] = getComputedStyle(node).backgroundColor
                .match(/[0-9.]+/g).slice(0, 3).map(Number);
            return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        }"""
    )


@pytest.mark.parametrize(
    ("theme", "shot"),
    [("JupyterLab Dark", "sidebar-dark.png"), ("JupyterLab Dark High Contrast", "sidebar-hc.png")],
)
async def test_dark_themes(live_lab: LiveLab, theme: str, shot: str) -> None:
    async with lab_setting(live_lab, THEMES, {"theme": theme}), chromium_page() as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
        await sidebar.widen()
        await sidebar.banner("ok")
        await sidebar.model_names()
        assert await background_luminance(sidebar) < 0.25  # the panel follows the theme
        await sidebar.open_model(IRIS)
        await screenshot(page, shot)
        await sidebar.open_version("2")
        await sidebar.root.locator('section[aria-label="Signature"] table').first.wait_for()
        if theme == "JupyterLab Dark":
            await screenshot(page, "version-detail-dark.png")


async def test_light_theme_is_light(live_lab: LiveLab) -> None:
    async with chromium_page() as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.banner("ok")
        assert await background_luminance(sidebar) > 0.8


async def test_the_panel_speaks_traditional_chinese(live_lab: LiveLab) -> None:
    async with lab_setting(live_lab, LANGUAGE, {"locale": "zh_TW"}), chromium_page() as page:
        sidebar = ModelsSidebar(page, live_lab.url, live_lab.token)
        await sidebar.open()
        await sidebar.widen()
        ok = await sidebar.banner("ok")
        assert "已連線至" in await ok.inner_text()
        title = sidebar.root.locator(".jp-PrimeHubModels-title")
        assert await title.inner_text() == "模型"
        assert await sidebar.root.get_by_role("tab").all_inner_texts() == ["模型", "部署"]
        search = sidebar.root.get_by_role("searchbox", name="依名稱搜尋模型")
        await search.wait_for()
        await sidebar.root.get_by_role("button", name=IRIS, exact=True).click()
        header = sidebar.root.locator(".jp-PrimeHubModels-table thead")
        await header.wait_for()
        text = await header.inner_text()
        assert "版號" in text and "部署於" in text
        # the model's main-area tab has the room for every column
        wide = main_page(page, "team", "models", IRIS).locator(".jp-PrimeHubModels-table thead")
        await wide.wait_for(timeout=30_000)
        assert "登錄日期時間" in await wide.inner_text()
        await screenshot(page, "sidebar-zh-TW.png")

        await sidebar.pick_group("No MLflow（MLflow 尚未設定）")  # noqa: RUF001
        banner = await sidebar.banner("not_configured")
        assert "MLflow setting 尚未設定" in await banner.inner_text()
