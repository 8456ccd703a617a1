"""The loopback apps the attack suites run against (one per write policy), and what those tests share.

Settings come only from ``Settings.from_env({"KGQA_...": ...})`` (plus data_dir, base_iri and port), so the same
tests run meaningfully on code that predates the new settings. Each fixture is module-scoped: a test module that
imports it builds its own app once.

The contract asserted (from the fix's brief): KGQA_WRITES = admin (default) | add | open; missing token 401
("Unauthorized"), wrong token 403, no token configured 403; KGQA_PUBLIC_URL / bound address is the own origin,
never the Host header; KGQA_ALLOWED_HOSTS (400 otherwise); KGQA_MAX_RESPONSE_MB (413 "ResponseTooLarge");
KGQA_CLIENT_QUERIES per client IP (429 "TooManyRequests"); every error body ``{"error": {"status", "type",
"message"}}``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import REMOTE_KINDS, OxigraphServer
from tests.test_sparql_safety import CountingListener

from ._attack_tools import (
    LiveApp, start_live_app, stop_live_app, SubprocessApp, gradio_config, components, is_token_input,
    delete_dependency, open_dependency, refresh_for, event_data, run_event, TOKEN,
)

__all__ = ["admin", "adder", "tokenless", "opened", "remote_opened", "crashable", "listener", "settle", "new_marker", "gradio_delete",
           "EVIL", "T"]

EVIL = "http://evil.example"
T = 30.0  # the bound on every ordinary HTTP call


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """Default write policy (admin), a token, a small response cap, one allowed foreign origin."""
    live = start_live_app(tmp_path_factory.mktemp("admin") / "built", {
        "KGQA_ADMIN_TOKEN": TOKEN,
        "KGQA_MAX_RESPONSE_MB": "8",
        "KGQA_QUERY_TIMEOUT": "5",
        "KGQA_ALLOWED_ORIGINS": "http://allowed.example",
    })
    yield live
    stop_live_app(live)


@pytest.fixture(scope="module")
def adder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """KGQA_WRITES=add: anyone may add new articles; replace/delete/update need the token."""
    live = start_live_app(tmp_path_factory.mktemp("add") / "built", {"KGQA_WRITES": "add", "KGQA_ADMIN_TOKEN": TOKEN})
    yield live
    stop_live_app(live)


@pytest.fixture(scope="module")
def tokenless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """Default write policy and no KGQA_ADMIN_TOKEN: no write can ever be authorised."""
    live = start_live_app(tmp_path_factory.mktemp("tokenless") / "built", {})
    yield live
    stop_live_app(live)


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """KGQA_WRITES=open (so only path, origin and host checks can stop an attack); evil.example is an allowed
    *host* name here, so the own origin must come from configuration, not from the Host header."""
    live = start_live_app(tmp_path_factory.mktemp("open") / "built", {
        "KGQA_WRITES": "open",
        "KGQA_ADMIN_TOKEN": TOKEN,
        "KGQA_QUERY_TIMEOUT": "5",
        "KGQA_ALLOWED_HOSTS": "127.0.0.1,localhost,evil.example",
    })
    yield live
    stop_live_app(live)


@pytest.fixture(scope="module", params=REMOTE_KINDS)
def remote_opened(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """KGQA_WRITES=open on a remote store: a real `oxigraph serve` on loopback, then the session's Virtuoso."""
    server, virtuoso = None, None
    if request.param == "virtuoso":
        virtuoso = request.getfixturevalue("virtuoso_server")
        virtuoso.clear()
        store = {"KGQA_STORE_URL": virtuoso.query_url, "KGQA_STORE_UPDATE_URL": virtuoso.update_url,
                 "KGQA_STORE_USER": virtuoso.user, "KGQA_STORE_PASSWORD": virtuoso.password}
    else:
        server = OxigraphServer(tmp_path_factory.mktemp("oxserve") / "server-data")
        store = {"KGQA_STORE_URL": f"{server.url}/query"}
    try:
        live = start_live_app(tmp_path_factory.mktemp("remote") / "built", {
            "KGQA_WRITES": "open",
            "KGQA_ADMIN_TOKEN": TOKEN,
            **store,
        })
    except BaseException:
        if server is not None:
            server.stop()
        raise
    yield live
    stop_live_app(live)
    if server is not None:
        server.stop()
    if virtuoso is not None:
        virtuoso.clear()


@pytest.fixture(scope="module")
def crashable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SubprocessApp]:
    """kgqa in a child process: the nesting attacks crashed the old server process (segfault)."""
    app = SubprocessApp(tmp_path_factory.mktemp("crashable"), {"KGQA_ADMIN_TOKEN": TOKEN})
    yield app
    app.stop()


@pytest.fixture
def listener() -> Iterator[CountingListener]:
    lst = CountingListener()
    yield lst
    lst.close()


def settle(listener: CountingListener) -> int:
    time.sleep(0.3)
    return listener.connections


def new_marker() -> str:
    return "Zq" + uuid.uuid4().hex[:12]


def gradio_delete(live: LiveApp, victim: str, headers: dict[str, str], token: str = "") -> object:
    """Run the Articles tab's delete flow on ``victim`` as the page does, in one session: the list is read
    (page load), the victim searched for and its row opened, then the delete confirmed with ``headers`` and
    ``token`` in the tab's token field. The article to delete is the one the session opened (server-side state),
    never an id the request names."""
    with live.client() as c:
        own = {"Origin": live.origin}
        config = gradio_config(c, headers=own)
        found = delete_dependency(config)
        if found is None:
            return None  # the fix hid the delete action: nothing to attack
        fn_index, dep = found
        comps = components(config)
        session = "s" + uuid.uuid4().hex[:12]

        def fill(component: dict) -> object:
            if is_token_input(component):
                return token
            if component.get("props", {}).get("elem_id") == "kgqa-article-search":
                return victim
            if component.get("type") == "dropdown":
                return victim
            return None

        tables = [i for i, comp in comps.items() if comp.get("props", {}).get("elem_id") == "kgqa-articles"]
        dropdowns = [i for i in dep["inputs"] if comps[i].get("type") == "dropdown"]
        refresh = refresh_for(config, (dropdowns or tables)[0]) if dropdowns or tables else None
        if refresh is not None:  # as the page does: read the session's list (and a dropdown's choices)
            run_event(c, config, refresh[0], refresh[1], [], headers=own, session=session)
        opening = open_dependency(config)
        if opening is not None:  # the victim searched for, so its row is the first, then opened
            run_event(c, config, opening[0], opening[1], event_data(config, opening[1], fill), headers=own,
                      session=session, event_data={"index": [0, 1], "value": victim})
        return run_event(c, config, fn_index, dep, event_data(config, dep, fill), headers=headers, session=session)
