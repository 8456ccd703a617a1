"""Issue 22 item 6: Gradio's upload and cache under the write policy.

* ``POST /gradio_api/upload`` (and ``/process_recording``) needs what adding an
  article needs: anonymous under ``KGQA_WRITES=admin`` is 401, a wrong token 403,
  no token configured 403; the token comes as ``Authorization: Bearer`` or as
  the cookie the Articles tab sets; under ``add`` anyone may upload.
* An uploaded file is removed once the Articles tab has ingested it, and
  Gradio's cache is swept (``delete_cache``).
* The SPARQL tab writes its CSV/JSON files only when a download is asked for.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.routing import Mount

from ._attack_tools import (
    TOKEN,
    LiveApp,
    bearer,
    error_of,
    event_data,
    file_payload,
    find_dependency,
    gradio_config,
    is_token_input,
    run_event,
    start_live_app,
    stop_live_app,
    upload_dependency,
)

T = 30.0
#: The cookie the Articles tab sets for Gradio's upload route (web._gradio_guard.UPLOAD_COOKIE; spelt out so the
#: tests also run against code from before it existed).
UPLOAD_COOKIE = "kgqa_upload_token"


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    live = start_live_app(tmp_path_factory.mktemp("up-admin") / "built", {"KGQA_ADMIN_TOKEN": TOKEN})
    yield live
    stop_live_app(live)


@pytest.fixture(scope="module")
def tokenless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    live = start_live_app(tmp_path_factory.mktemp("up-tokenless") / "built", {})
    yield live
    stop_live_app(live)


@pytest.fixture(scope="module")
def adder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    live = start_live_app(tmp_path_factory.mktemp("up-add") / "built", {"KGQA_WRITES": "add",
                                                                        "KGQA_ADMIN_TOKEN": TOKEN})
    yield live
    stop_live_app(live)


def _upload(live: LiveApp, *, headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None,
            path: str = "/gradio_api/upload") -> httpx.Response:
    marker = uuid.uuid4().hex[:10]
    with httpx.Client(base_url=live.url, timeout=T, trust_env=False, cookies=cookies) as c:
        return c.post(path, files=[("files", (f"up{marker}.txt", f"Upload {marker}\n\nA body {marker}.\n"))],
                      headers=headers or {})


def test_anonymous_gradio_upload_is_401_under_the_admin_policy(admin: LiveApp) -> None:
    """Before: 200 and the file stored in Gradio's cache (57 MB in 0.27 s in the issue). After: 401."""
    r = _upload(admin)
    assert r.status_code == 401, (r.status_code, r.text[:200])
    assert error_of(r)["type"] == "Unauthorized"
    assert r.headers.get("www-authenticate", "").startswith("Bearer")


def test_anonymous_process_recording_is_401_under_the_admin_policy(admin: LiveApp) -> None:
    """Gradio's other route that stores a request's files follows the same policy."""
    r = _upload(admin, path="/gradio_api/process_recording")
    assert r.status_code == 401, (r.status_code, r.text[:200])


def test_gradio_upload_with_a_wrong_token_is_403(admin: LiveApp) -> None:
    r = _upload(admin, headers=bearer("not-the-token"))
    assert r.status_code == 403 and error_of(r)["type"] == "Forbidden", (r.status_code, r.text[:200])
    r = _upload(admin, cookies={UPLOAD_COOKIE: "not-the-token"})
    assert r.status_code == 403, (r.status_code, r.text[:200])


def test_gradio_upload_with_the_token_as_header_or_cookie_is_stored(admin: LiveApp) -> None:
    for r in (_upload(admin, headers=bearer()), _upload(admin, cookies={UPLOAD_COOKIE: TOKEN})):
        assert r.status_code == 200, (r.status_code, r.text[:200])
        assert Path(r.json()[0]).is_file()


def test_gradio_upload_without_a_configured_token_is_403(tokenless: LiveApp) -> None:
    r = _upload(tokenless, headers=bearer("anything"))
    assert r.status_code == 403, (r.status_code, r.text[:200])


def test_gradio_upload_is_open_when_anyone_may_add(adder: LiveApp) -> None:
    r = _upload(adder)
    assert r.status_code == 200, (r.status_code, r.text[:200])


def _blocks(live: LiveApp) -> Any:
    for route in live.app.routes:
        if isinstance(route, Mount) and hasattr(route.app, "get_blocks"):
            return route.app.get_blocks()
    raise AssertionError("no Gradio app is mounted")


def test_gradio_cache_is_swept(admin: LiveApp) -> None:
    """Before: no ``delete_cache``, so uploads and served files stayed in Gradio's cache for good."""
    blocks = _blocks(admin)
    assert blocks.delete_cache is not None, "Gradio's cache is never swept"
    sweep, age = blocks.delete_cache
    assert 0 < sweep <= age <= 3600, blocks.delete_cache
    r = _upload(admin, headers=bearer())
    assert r.status_code == 200
    assert r.json()[0] in blocks.upload_file_set  # what the sweep deletes


def test_ingested_upload_leaves_no_file_in_gradio_cache(admin: LiveApp) -> None:
    """Before: the uploaded file stayed in Gradio's cache, served back at /gradio_api/file=..., after the
    Articles tab had stored its text. After: the tab removes it once ingested."""
    marker = uuid.uuid4().hex[:10]
    with admin.client() as c:
        up = c.post("/gradio_api/upload", headers=bearer(), files=[(
            "files", (f"kept{marker}.txt", f"Kept {marker}\n\nThe mill at Tarrow reopened, said {marker}.\n"))])
        assert up.status_code == 200, (up.status_code, up.text[:200])
        path = Path(up.json()[0])
        config = gradio_config(c)
        fn_index, dep = upload_dependency(config) or (None, None)
        assert dep is not None

        def fill(component: dict) -> object:
            if component.get("type") == "file":
                return [{**file_payload(path), "orig_name": f"kept{marker}.txt"}]
            return TOKEN if is_token_input(component) else None

        event = run_event(c, config, fn_index, dep, event_data(config, dep, fill), headers={"Origin": admin.origin})
        served = c.get(f"/gradio_api/file={path}")
    assert event.succeeded, event.completed
    assert admin.graph_contains(marker)
    assert not path.exists()
    assert served.status_code >= 400


# --- the SPARQL tab's downloads -------------------------------------------------------------------------------

def _clicked(elem_id: str) -> Any:
    def pred(dep: dict, comps: dict) -> bool:
        return any(comps.get(t[0], {}).get("props", {}).get("elem_id") == elem_id and t[1] == "click"
                   for t in dep.get("targets") or [] if t and t[0] is not None)
    return pred


def _files_in(data: Any) -> list[dict]:
    out, stack = [], [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("path"), str):
                out.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


def test_sparql_tab_run_writes_no_download_files(admin: LiveApp) -> None:
    """Before: every run wrote its CSV and JSON into Gradio's cache (about 20 MB for 10,000 rows). After: a run
    returns the table only; the CSV is written when its button is clicked, and holds the rows."""
    session = uuid.uuid4().hex[:12]
    query = "SELECT ?s WHERE { ?s a <http://schema.org/NewsArticle> }"
    with admin.client() as c:
        config = gradio_config(c)
        run_found = find_dependency(config, _clicked("kgqa-sparql-run"))
        assert run_found, "no event on the SPARQL tab's run button"
        fn_index, dep = run_found

        def fill(component: dict) -> object:
            return query if component["props"].get("elem_id") == "kgqa-sparql-editor" else None

        ran = run_event(c, config, fn_index, dep, event_data(config, dep, fill), session=session)
        assert ran.succeeded, ran.completed
        assert _files_in(ran.completed["output"]["data"]) == [], "a run wrote download files"
        csv_found = find_dependency(config, _clicked("kgqa-sparql-csv"))
        assert csv_found, "no click event on the Download CSV button"
        fn_index, dep = csv_found
        fetched = run_event(c, config, fn_index, dep, [None for _ in dep["inputs"]], session=session)
        assert fetched.succeeded, fetched.completed
        files = _files_in(fetched.completed["output"]["data"])
        assert len(files) == 1, files
        got = c.get(f"/gradio_api/file={files[0]['path']}")
    assert got.status_code == 200, (got.status_code, got.text[:200])
    assert got.text.splitlines()[0].strip() == "s" and "/id/article/" in got.text
