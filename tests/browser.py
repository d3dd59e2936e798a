"""A real browser for end-to-end tests: Debian's Chromium, driven by Playwright."""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's own browser download does not work here: use the system's, without its extras.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"
# The screenshots the docs show: made by the tests that check what they show, so they never go
# stale. Committed; the rest stay in artifacts/ (ignored by git).
DOCS_IMAGES = Path(settings.BASE_DIR) / "docs" / "images"
PASSWORD = "not-a-real-password"  # what tests.factories.make_staff gives every user


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, which Django takes for async code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str, *, docs: bool = False, **options) -> Path:
    """Save the page as <name>.png: in docs/images/ for a picture the docs show, else in
    artifacts/. Options go to Playwright's page.screenshot() (full_page=True...)."""
    folder = DOCS_IMAGES if docs else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    # Transitions finished (a key's press fading out): the same page makes the same picture,
    # so a committed one changes only when the page does.
    page.screenshot(path=path, animations="disabled", **options)
    return path
