"""Playwright against live_server with Debian's Chromium (never a downloaded browser)."""

import os
from pathlib import Path

import pytest

os.environ.setdefault(
    "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
)  # Playwright's loop shares the test thread

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def chromium():
    # Per test, not per session: Playwright runs an event loop in this thread, and while it runs
    # Django's connections are context-local, so later tests in the worker would not get the
    # serialized test data back after a flush.
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class Pages:
    """A browser page with a base URL; every page it visits is saved as a screenshot."""

    def __init__(self, page, base: str, prefix: str) -> None:
        self.page = page
        self.base = base
        self.prefix = prefix
        self.shots = 0

    def go(self, path: str):
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def snap(self, name: str) -> None:
        self.shots += 1
        width = self.page.viewport_size["width"]
        self.page.screenshot(
            path=str(SCREENSHOTS / f"{self.prefix}-{self.shots:02d}-{name}-{width}.png"),
            full_page=True,
        )

    def login(self, username: str, password: str) -> None:
        self.go("/accounts/login/")
        self.snap("login")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base + "/")


@pytest.fixture
def pages(chromium, live_server, request):
    def open_page(width: int = 1280, prefix: str | None = None) -> Pages:
        context = chromium.new_context(viewport={"width": width, "height": 900}, locale="en-US")
        page = context.new_page()
        request.addfinalizer(context.close)
        return Pages(page, live_server.url, prefix or request.node.name)

    return open_page


def pytest_sessionfinish(session, exitstatus):
    if SCREENSHOTS.exists() and any(SCREENSHOTS.iterdir()):
        print(f"\nscreenshots of every page the browser tests visited: {SCREENSHOTS}")
