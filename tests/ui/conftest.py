"""Browser helpers: Playwright (async API) driving Debian's Chromium.

The async API runs inside the test's event loop (pytest-jupyter's), so it does not
fight over the loop as the sync API does.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
DOCS = Path(__file__).resolve().parents[2] / "docs"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextlib.asynccontextmanager
async def chromium_page(
    width: int = 1280, height: int = 800, color_scheme: str = "light"
) -> AsyncIterator[Any]:
    if not HAVE_CHROMIUM:
        pytest.fail("chromium is not installed: run scripts/install.sh (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            context = await browser.new_context(
                viewport={"width": width, "height": height}, color_scheme=color_scheme
            )
            yield await context.new_page()
        finally:
            await browser.close()
