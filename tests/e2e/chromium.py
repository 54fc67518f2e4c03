"""Debian's Chromium driven by Playwright for Python: no browser download (`playwright install`
is never run), the executable is the distribution's, found at /usr/bin/chromium or $CHROMIUM."""

import os
from pathlib import Path

from playwright.sync_api import Browser, Playwright

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch(playwright: Playwright) -> Browser:
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/ensure-chromium (make test does)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
