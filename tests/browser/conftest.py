"""Headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser(web_server: Any) -> Iterator[Any]:
    # Playwright's sync API keeps an event loop running in this thread, and
    # Django refuses database work in a thread with a running loop. The
    # tests' own database work (fixtures, transactions) is synchronous and
    # single-threaded, so Django's guard is lifted for this session.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if os.environ.get("OPSYN_SKIP_BROWSER") == "1" or not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="opsyn-chromium-")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _close_connections_opened_beside_the_event_loop() -> Iterator[None]:
    # Django keys connections by context; with Playwright's loop running the
    # test's connection is not the one the session's teardown sees, so it is
    # closed here, where it was opened.
    yield
    from django.db import connections

    connections.close_all()
