"""Shared fixtures: settings in a temp folder, and the same graph on both store kinds.

The remote stores are real servers on free loopback ports (bounded waits,
nothing leaves the machine): ``oxigraph serve``, started per test and stopped
after it, and Virtuoso (marker ``scaleout``), one per session with its graphs
dropped after each test (tests/_virtuoso.py).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kg import KnowledgeGraph, Settings

from ._virtuoso import VirtuosoServer

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "articles" / "000_b3bb278fd8698310.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SERVER_TIMEOUT_S = 3  # the server's own query timeout in remote tests
#: One ONNX export for every library the tests build (each would otherwise export its own, ~10 s each);
#: set in the environment too, for the app and CLI processes tests start.
ENCODER_CACHE = Path(tempfile.gettempdir()) / "kgqa-tests-encoder"
os.environ["KGQA_ENCODER_CACHE"] = str(ENCODER_CACHE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_binary() -> str:
    exe = Path(sys.executable).with_name("oxigraph")
    found = str(exe) if exe.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the `oxigraph` server is not installed (pip install oxigraph); remote tests need it")
    return found


class OxigraphServer:
    """``oxigraph serve`` on 127.0.0.1 with the union default graph and a query timeout."""

    def __init__(self, location: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}",
             "--union-default-graph", "--timeout-s", str(SERVER_TIMEOUT_S)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited: {self.proc.stderr.read().decode()[:500]}")
            try:
                httpx.get(f"{self.url}/query", params={"query": "ASK {}"}, timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("oxigraph serve did not start within 20 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "built", base_iri="http://test.example/id/", encoder_cache=ENCODER_CACHE)


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path / "server-data")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_server() -> Iterator[VirtuosoServer]:
    """One throwaway Virtuoso for the session (a fresh database takes seconds to create)."""
    try:
        server = VirtuosoServer(timeout_s=SERVER_TIMEOUT_S)
    except RuntimeError as exc:
        pytest.fail(f"cannot start Virtuoso for the scaleout tests: {exc}")
    yield server
    server.stop()


@pytest.fixture
def virtuoso(virtuoso_server: VirtuosoServer) -> Iterator[VirtuosoServer]:
    """The session's Virtuoso, empty before the test (a module-scoped user may have left graphs) and after."""
    virtuoso_server.clear()
    yield virtuoso_server
    virtuoso_server.clear()


def virtuoso_settings(settings: Settings, server: VirtuosoServer) -> Settings:
    """kgqa on Virtuoso as docs/scaling-virtuoso.md sets it up: reads on /sparql, writes on /sparql-auth."""
    return settings.replace(store_url=server.query_url, store_update_url=server.update_url,
                            store_user=server.user, store_password=server.password)


#: The store kinds the ``graph`` fixture runs on; the servers carry their markers.
STORE_KINDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("remote", id="remote", marks=pytest.mark.remote),
    pytest.param("virtuoso", id="virtuoso", marks=[pytest.mark.remote, pytest.mark.scaleout]),
]


#: The SPARQL servers alone, for tests about the remote path only.
REMOTE_KINDS = STORE_KINDS[1:]


@pytest.fixture(params=REMOTE_KINDS)
def remote_settings(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a remote store: a fresh `oxigraph serve`, then the session's Virtuoso (emptied)."""
    if request.param == "virtuoso":
        yield virtuoso_settings(settings, request.getfixturevalue("virtuoso"))
        return
    server = OxigraphServer(tmp_path / "server-data")
    yield settings.replace(store_url=f"{server.url}/query")
    server.stop()


@pytest.fixture(params=STORE_KINDS)
def graph(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[KnowledgeGraph]:
    """A knowledge graph on the embedded store, on `oxigraph serve`, then on Virtuoso."""
    server = None
    if request.param == "remote":
        server = OxigraphServer(tmp_path / "server-data")
        settings = settings.replace(store_url=f"{server.url}/query")
    elif request.param == "virtuoso":
        settings = virtuoso_settings(settings, request.getfixturevalue("virtuoso"))
    kg = KnowledgeGraph(settings)
    yield kg
    kg.close()
    if server is not None:
        server.stop()


@pytest.fixture
def embedded(settings: Settings) -> Iterator[KnowledgeGraph]:
    kg = KnowledgeGraph(settings)
    yield kg
    kg.close()


#: Fixtures that start the real Chromium: a test using any of them is a ``browser`` test.
BROWSER_FIXTURES = frozenset({"browser", "page"})
#: Tests measured over a second (scripts/slow_tests.py writes it from a timed run of the suite).
SLOW_TESTS = Path(__file__).resolve().parent / "slow_tests.txt"


def _measured_slow() -> frozenset[str]:
    lines = SLOW_TESTS.read_text(encoding="utf-8").splitlines() if SLOW_TESTS.is_file() else []
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that drives Chromium ``browser`` and every test measured slow ``slow``, so
    ``pytest -m "not browser and not slow"`` is the fast inner loop."""
    slow = _measured_slow()
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if item.nodeid in slow:
            item.add_marker(pytest.mark.slow)
