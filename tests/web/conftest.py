"""Fixtures for the web app: one library on the seed article, the app in-process and on a real loopback server,
host pages on other loopback ports, and Debian's Chromium driven by Playwright.

The app's base IRI is its own loopback URL, so the graph's IRIs dereference
against the live server. ``ALLOWED`` host pages may embed the widget; ``OTHER``
ones may not. Screenshots go to ``artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kg import Settings
from tests.conftest import ENCODER_CACHE, ROOT, SEED, free_port
from web import ServerThread, Services, create_app

ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: The session app's admin token (writes need it: KGQA_WRITES=admin), and the header that carries it.
ADMIN_TOKEN = "kgqa-test-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


class HostPages:
    """A static web server on a loopback port serving pages put into it: a site that embeds the widget."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                body = pages.get(self.path.split("?")[0])
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def put(self, path: str, html: str) -> str:
        """Serve ``html`` at ``path``; returns its URL."""
        self.pages[path] = html
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def allowed_host() -> Iterator[HostPages]:
    pages = HostPages()
    yield pages
    pages.close()


@pytest.fixture(scope="session")
def other_host() -> Iterator[HostPages]:
    pages = HostPages()
    yield pages
    pages.close()


@pytest.fixture(scope="session")
def app_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def web_settings(tmp_path_factory: pytest.TempPathFactory, app_port: int, allowed_host: HostPages) -> Settings:
    return Settings(
        data_dir=tmp_path_factory.mktemp("web") / "built",
        encoder_cache=ENCODER_CACHE,
        base_iri=f"http://127.0.0.1:{app_port}/id/",
        port=app_port,
        allowed_origins=(allowed_host.origin,),
        query_timeout=5.0,
        admin_token=ADMIN_TOKEN,
    )


@pytest.fixture(scope="session")
def services(web_settings: Settings) -> Iterator[Services]:
    """The seed article, stored and indexed once for the whole session."""
    s = Services(web_settings, ingest_shipped=False)
    s.library.ingest([SEED])
    yield s
    s.close()


@pytest.fixture(scope="session")
def app(services: Services):  # type: ignore[no-untyped-def]
    return create_app(services)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """The app in-process (no socket); requests look same-origin unless a test sends ``Origin``."""
    with TestClient(app, base_url=app.state.services.settings.base_iri.rsplit("/id/", 1)[0]) as c:
        yield c


@pytest.fixture(scope="session")
def live_url(app, app_port: int) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The same app on a real uvicorn server at the port its IRIs name."""
    with ServerThread(app, port=app_port) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does: apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser page; a screenshot of it is saved after the test, whatever the outcome."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors  # type: ignore[attr-defined]
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def screenshot(page, request: pytest.FixtureRequest) -> Callable[[str], Path]:  # type: ignore[no-untyped-def]
    """Save a named screenshot of the current page mid-test; returns its path."""

    def take(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
