"""A real browser for the console's tests: Debian's Chromium, driven by Playwright.

Playwright cannot download its own browsers here, so it is pointed at /usr/bin/chromium
(scripts/test.sh installs it with apt-get). Screenshots go to the test's tmp_path, which
pytest keeps for the last runs, so they can be looked at after a run.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OFFICE = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@asynccontextmanager
async def chromium() -> AsyncIterator[object]:
    """A headless Chromium (playwright.async_api.Browser); skips the test when none is installed."""
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()
