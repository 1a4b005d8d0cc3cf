"""Browser helpers: Playwright (async API) driving Debian's Chromium.

The async API runs inside the test's event loop (pytest-jupyter's), so it does not
fight over the loop as the sync API does.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
#: Where screenshots go: a temporary folder, unless PRIMEHUB_MODELS_SCREENSHOTS names one
#: (``scripts/screenshots.sh`` points it at docs/ to refresh the README's pictures).
SCREENSHOTS = Path(
    os.environ.get("PRIMEHUB_MODELS_SCREENSHOTS")
    or tempfile.mkdtemp(prefix="primehub-models-screenshots-")
)
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


async def screenshot(page: Any, name: str) -> Path:
    """A screenshot of the page as ``name`` in the screenshots folder."""
    await asyncio.to_thread(SCREENSHOTS.mkdir, parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    await page.screenshot(path=str(path))
    return path
