"""Fixtures of the browser tests: one running stack and one headless Chromium (Debian's, never a
downloaded one) for the whole module; a screenshot helper writing into a temporary folder, or into
docs/console/ when GATEWAY_UPDATE_SCREENSHOTS=1 (so that a run leaves the checked-in screenshots alone)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.stack import CHROMIUM, CHROMIUM_ARGS, Stack

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
# Set to 1 to refresh the screenshots checked in under docs/console/ (see docs/console.md).
UPDATE_SCREENSHOTS = "GATEWAY_UPDATE_SCREENSHOTS"

Shoot = Callable[[Page, str], None]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The gateway, the Greenhouse sandbox and Intrro's receiver, on SQLite."""
    db = tmp_path_factory.mktemp("console") / "gateway.db"
    running = Stack(f"sqlite+aiosqlite:///{db}")
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from /usr/bin/chromium (`apt-get install chromium`)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    """One tab, signed in or not, kept across the story's steps."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: docs/console/ with GATEWAY_UPDATE_SCREENSHOTS=1, else a temporary folder."""
    if os.environ.get(UPDATE_SCREENSHOTS) == "1":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def shoot(screenshots: Path) -> Shoot:
    """Takes a full-page screenshot of a tab as <name>.png in the screenshots' folder."""

    def take(page: Page, name: str) -> None:
        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)

    return take
