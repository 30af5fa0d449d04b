"""Browser tests: the app under uvicorn on a free loopback port, driven by Debian's
Chromium through Playwright. The server always runs on a migrated SQLite copy, also when
HOMELEDGER_TEST_DATABASE_URL points at PostgreSQL: the pages call the same services that
the API tests exercise on both databases."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, Response, ViewportSize

from homeledger.web import assets
from tests.conftest import TEST_SECRET

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
PASSWORD = "correct horse battery staple"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 375, "height": 667}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/web/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    assert Path(CHROMIUM).exists(), "browser tests need Debian's chromium: apt-get install chromium"
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Service workers would answer some requests themselves; test_pwa.py allows them.
    return {**browser_context_args, "viewport": DESKTOP, "service_workers": "block"}


@pytest.fixture(scope="session")
def built_assets() -> Path:
    """The fingerprinted assets the pages link to, built from node_modules (`npm ci`)."""
    assets.build(ROOT / "node_modules")
    return assets.DIST


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_server(
    sqlite_template: Path, built_assets: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("live")
    database = folder / "web.db"
    shutil.copyfile(sqlite_template, database)
    port = _free_port()
    env = {
        **os.environ,
        "HOMELEDGER_DATABASE_URL": f"sqlite:///{database}",
        "HOMELEDGER_DATA_DIR": str(folder),
        "HOMELEDGER_SECRET_KEY": TEST_SECRET,
        "HOMELEDGER_LOG_LEVEL": "WARNING",
        "HOMELEDGER_RATE_LIMIT_AUTH_PER_MINUTE": "100000",
        "HOMELEDGER_RATE_LIMIT_API_PER_MINUTE": "1000000",
    }
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "homeledger.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # importing the app takes seconds on a busy machine
    while True:
        try:
            if httpx.get(base + "/health/live", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            server.wait()
            log.close()
            raise RuntimeError("the app did not start:\n" + (folder / "server.log").read_text())
        time.sleep(0.1)
    yield base
    server.terminate()
    server.wait(timeout=10)
    log.close()


@dataclass
class Watch:
    """What went wrong in the browser: console errors, page errors, failed requests."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> Page:
        def on_console(message: ConsoleMessage) -> None:
            # A form answered 422 (shown again with its errors) or a refused sign-in (401)
            # is intended; Chromium still logs it as a failed load.
            intended = re.search(r"status of (401|422)", message.text)
            if message.type == "error" and not intended:
                self.problems.append(f"console: {message.text}")

        def on_response(response: Response) -> None:
            expected = response.request.method != "GET" or "/api/" in response.url
            if response.status >= 400 and not expected:
                self.problems.append(f"HTTP {response.status}: {response.url}")

        def on_failed(request: Request) -> None:
            if request.failure == "net::ERR_ABORTED":  # a load cut short by navigating on
                return
            self.problems.append(f"failed: {request.url} ({request.failure})")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("response", on_response)
        page.on("requestfailed", on_failed)
        return page

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


@pytest.fixture
def watch(page: Page) -> Iterator[Watch]:
    watcher = Watch()
    watcher.attach(page)
    yield watcher
    watcher.assert_clean()


def unique_email(prefix: str) -> str:
    return f"{prefix}-{time.monotonic_ns()}@example.com"


def sign_up(page: Page, base: str, email: str, household: str = "Home", next_url: str = "") -> None:
    page.goto(base + "/signup" + (f"?next={next_url}" if next_url else ""))
    page.get_by_label("Your name").fill(email.split("@")[0])
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Household name").fill(household)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()


@dataclass
class ApiClient:
    """The JSON API as the same user, to seed data quickly."""

    base: str
    token: str
    household_id: str

    @classmethod
    def for_user(cls, base: str, email: str) -> ApiClient:
        tokens = httpx.post(
            base + "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
        ).json()
        token = tokens["access_token"]
        households = httpx.get(
            base + "/api/v1/households", headers={"Authorization": f"Bearer {token}"}
        ).json()
        return cls(base, token, households[0]["id"])

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = httpx.post(
            f"{self.base}/api/v1/households/{self.household_id}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result


Shot = Callable[[Page, str], None]


@pytest.fixture(scope="session")
def screenshot() -> Shot:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
