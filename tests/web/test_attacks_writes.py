"""Attacks on writes: files read through the Gradio upload event, and the one write policy on every route.

Split from the issue 11 regression suite; the apps are built once per module (tests/web/_attack_apps.py),
and every test makes its own victims and markers, so the order does not matter.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from ._attack_apps import (  # noqa: F401 (fixtures)
    admin, adder, tokenless, opened, remote_opened, new_marker, gradio_delete, T,
)
from ._attack_tools import (
    error_of, bearer, LiveApp, gradio_config, is_token_input, upload_dependency, paste_dependency, event_data,
    run_event, file_payload, TOKEN,
)

#: Every test here drives an app served on loopback (each module starts its own: 5-12 s).
pytestmark = pytest.mark.slow

# --- 2. file read through the Gradio upload event ---------------------------------------------------------

def _file_read_attack(live: LiveApp, tmp_path: Path) -> None:
    marker = new_marker()
    secret = tmp_path / f"secret{marker}.txt"
    secret.write_text(f"Private memo\n\nThe vault code of the Zanbrook office is {marker}.\n")
    before = live.article_ids()
    with live.client() as c:
        config = gradio_config(c)
        found = upload_dependency(config)
        assert found, "no Gradio event takes the file component kgqa-upload; the test cannot drive the attack"
        fn_index, dep = found

        def fill(component: dict) -> object:
            if component.get("type") == "file":
                return [file_payload(secret)]
            if is_token_input(component):
                return live.token or ""  # writes are open anyway: only the path check may stop this
            return None

        event = run_event(c, config, fn_index, dep, event_data(config, dep, fill), headers={"Origin": live.origin})
        served = c.get(f"/id/article/{secret.stem}", headers={"Accept": "text/turtle"}, timeout=T)
        search = c.get("/api/search", params={"q": f"vault code Zanbrook {marker}", "k": 10}, timeout=T)
    assert not live.graph_contains(marker), f"the server file was read and stored (event: {event.completed})"
    assert live.article_ids() == before, live.article_ids() - before
    assert served.status_code == 404 or marker not in served.text
    assert search.status_code == 200, (search.status_code, search.text[:200])
    assert not [hit for hit in search.json()["results"] if marker in hit["sentence"]]
    uploads = live.settings.data_dir / "uploads"
    assert not any(marker in p.read_text(errors="replace") for p in uploads.rglob("*") if p.is_file())


def test_gradio_upload_cannot_read_server_files(opened: LiveApp, tmp_path: Path) -> None:
    """Issue 11 item 2 (embedded store): the Articles tab's upload event naming a server path
    (not in Gradio's upload folder) reads nothing, stores nothing, serves nothing."""
    _file_read_attack(opened, tmp_path)


def test_gradio_upload_through_its_upload_folder_still_works(opened: LiveApp) -> None:
    """Issue 11 item 2 (control): a file sent the normal way (POST /gradio_api/upload, then the event with the
    path Gradio returned) is still stored, so the file-read tests above prove the path check, not a broken tab."""
    marker = new_marker()
    with opened.client() as c:
        config = gradio_config(c)
        prefix = config.get("api_prefix") or "/gradio_api"
        up = c.post(f"{prefix}/upload", files=[("files", (f"legit{marker}.txt",
                                                          f"Legit {marker}\n\nThe mill at Tarrow reopened, said "
                                                          f"{marker}.\n"))],
                    headers={"Origin": opened.origin}, timeout=T)
        assert up.status_code == 200, (up.status_code, up.text[:300])
        path = Path(up.json()[0])
        fn_index, dep = upload_dependency(config) or (None, None)
        assert dep is not None

        def fill(component: dict) -> object:
            if component.get("type") == "file":
                return [{**file_payload(path), "orig_name": f"legit{marker}.txt"}]
            return (opened.token or "") if is_token_input(component) else None

        event = run_event(c, config, fn_index, dep, event_data(config, dep, fill), headers={"Origin": opened.origin})
    assert opened.graph_contains(marker), event.completed


@pytest.mark.remote
def test_gradio_upload_cannot_read_server_files_remote_store(remote_opened: LiveApp, tmp_path: Path) -> None:
    """Issue 11 item 2 (remote `oxigraph serve` store): same attack, same result."""
    _file_read_attack(remote_opened, tmp_path)

# --- 3. one write policy -------------------------------------------------------------------------------

def _paste(marker: str) -> dict:
    return {"title": f"Paste {marker}", "text": f"The harbour of Quelmont reopened on Tuesday, said {marker}."}


def _unauthorized(r: httpx.Response) -> None:
    assert r.status_code == 401, (r.status_code, r.text[:300])
    assert error_of(r)["type"] == "Unauthorized"


def test_admin_policy_anonymous_paste_is_401_and_stores_nothing(admin: LiveApp) -> None:
    """Issue 11 item 3: default policy, anonymous JSON paste -> 401, nothing stored."""
    marker, before = new_marker(), admin.hashes()
    with admin.client() as c:
        r = c.post("/api/articles", json=_paste(marker), timeout=T)
    _unauthorized(r)
    assert admin.hashes() == before and not admin.graph_contains(marker)


def test_admin_policy_anonymous_multipart_is_401_and_stores_nothing(admin: LiveApp) -> None:
    """Issue 11 item 3: default policy, anonymous multipart upload -> 401, nothing stored."""
    marker, before = new_marker(), admin.hashes()
    with admin.client() as c:
        r = c.post("/api/articles", files=[("files", (f"up{marker}.txt", f"Upload {marker}\n\nA body {marker}.\n"))],
                   timeout=T)
    _unauthorized(r)
    assert admin.hashes() == before and not admin.graph_contains(marker)


@pytest.mark.parametrize("policy", ["admin", "adder"])
def test_anonymous_delete_is_401_and_deletes_nothing(policy: str, request: pytest.FixtureRequest) -> None:
    """Issue 11 item 3: KGQA_WRITES=admin (default) and add: anonymous DELETE /api/articles/{id} -> 401, it stays."""
    app: LiveApp = request.getfixturevalue(policy)
    victim = app.add_victim()
    with app.client() as c:
        r = c.delete(f"/api/articles/{victim}", timeout=T)
    _unauthorized(r)
    assert victim in app.article_ids()


def test_admin_policy_wrong_token_is_403(admin: LiveApp) -> None:
    """Issue 11 item 3: a wrong token -> 403 for adding and deleting; nothing changes."""
    victim, marker = admin.add_victim(), new_marker()
    before = admin.hashes()
    with admin.client(headers=bearer("not-the-token")) as c:
        paste = c.post("/api/articles", json=_paste(marker), timeout=T)
        delete = c.delete(f"/api/articles/{victim}", timeout=T)
    for r in (paste, delete):
        assert r.status_code == 403, (r.status_code, r.text[:300])
        error_of(r)
    assert admin.hashes() == before and not admin.graph_contains(marker)


def test_admin_policy_token_adds_and_deletes(admin: LiveApp) -> None:
    """Issue 11 item 3: with the admin token, paste (201) and delete (200) work."""
    marker = new_marker()
    with admin.client(headers=bearer()) as c:
        r = c.post("/api/articles", json=_paste(marker), timeout=T)
        assert r.status_code == 201, (r.status_code, r.text[:300])
        stored = r.json()["results"][0]["articles"]
        assert stored and admin.graph_contains(marker)
        d = c.delete(f"/api/articles/{stored[0]}", timeout=T)
    assert d.status_code == 200, (d.status_code, d.text[:300])
    assert stored[0] not in admin.article_ids() and not admin.graph_contains(marker)


def test_no_admin_token_configured_means_writes_are_403(tokenless: LiveApp) -> None:
    """Issue 11 item 3: default policy without KGQA_ADMIN_TOKEN: every write is 403 (with or without a bearer)."""
    victim, marker = tokenless.add_victim(), new_marker()
    before = tokenless.hashes()
    with tokenless.client() as c:
        replies = [
            c.post("/api/articles", json=_paste(marker), timeout=T),
            c.post("/api/articles", json=_paste(marker), headers=bearer("anything"), timeout=T),
            c.delete(f"/api/articles/{victim}", timeout=T),
            c.delete(f"/api/articles/{victim}", headers=bearer("anything"), timeout=T),
        ]
    assert [r.status_code for r in replies] == [403] * 4, [(r.status_code, r.text[:120]) for r in replies]
    for r in replies:
        error_of(r)
    assert tokenless.hashes() == before and not tokenless.graph_contains(marker)


def test_add_policy_anonymous_paste_of_new_article_is_201(adder: LiveApp) -> None:
    """Issue 11 item 3: KGQA_WRITES=add, an anonymous paste of a new article is stored (201)."""
    marker = new_marker()
    with adder.client() as c:
        r = c.post("/api/articles", json=_paste(marker), timeout=T)
    assert r.status_code == 201, (r.status_code, r.text[:300])
    assert r.json()["results"][0]["articles"] and adder.graph_contains(marker)


def test_add_policy_anonymous_replace_of_existing_id_is_refused(adder: LiveApp) -> None:
    """Issue 11 item 3: KGQA_WRITES=add, an anonymous JSON record with an existing article's id and other text
    is refused, and the stored article is unchanged."""
    original, forged = new_marker(), new_marker()
    article_id = f"record-{original}"
    record = {"id": article_id, "title": f"Original {original}", "body": f"The original text says {original}."}
    assert adder.store_file(f"{article_id}.json", json.dumps(record).encode()) == [article_id]
    before = adder.hashes()[article_id]
    forged_record = {"id": article_id, "title": "Forged", "body": f"A forged text says {forged}."}
    with adder.client() as c:
        r = c.post("/api/articles", files=[("files", ("forged.json", json.dumps(forged_record)))], timeout=T)
    assert r.status_code in (400, 401, 403) or (
        r.status_code < 300 and not any(res["articles"] for res in r.json()["results"])), (r.status_code, r.text[:300])
    if r.status_code >= 400:
        error_of(r)
    assert adder.hashes().get(article_id) == before
    assert adder.graph_contains(original) and not adder.graph_contains(forged)




def test_add_policy_anonymous_sparql_update_is_401(adder: LiveApp) -> None:
    """Issue 11 item 3: KGQA_WRITES=add, anonymous SPARQL Update -> 401 (one policy for every surface)."""
    victim = adder.add_victim()
    with adder.client() as c:
        r = c.post("/sparql", content=f"DROP GRAPH <{adder.settings.base_iri}article/{victim}>".encode(),
                   headers={"Content-Type": "application/sparql-update"}, timeout=T)
    _unauthorized(r)
    assert victim in adder.article_ids()


def test_gradio_delete_without_token_does_not_delete(admin: LiveApp) -> None:
    """Issue 11 item 3: the Articles tab's delete event via /gradio_api/queue/join, without the token,
    deletes nothing (default policy)."""
    victim = admin.add_victim()
    event = gradio_delete(admin, victim, {"Origin": admin.origin})
    assert victim in admin.article_ids(), f"deleted through Gradio without a token: {getattr(event, 'completed', None)}"


def test_gradio_delete_with_token_deletes(admin: LiveApp) -> None:
    """Issue 11 item 3 (control): the same Gradio delete flow with the admin token in the tab does delete,
    so the test above proves the policy, not a broken event."""
    victim = admin.add_victim()
    event = gradio_delete(admin, victim, {"Origin": admin.origin}, token=TOKEN)
    assert victim not in admin.article_ids(), getattr(event, "completed", None)


def test_gradio_paste_without_token_stores_nothing(admin: LiveApp) -> None:
    """Issue 11 item 3: the Articles tab's paste event without the token stores nothing (default policy)."""
    marker, before = new_marker(), admin.hashes()
    with admin.client() as c:
        config = gradio_config(c)
        found = paste_dependency(config)
        if found is not None:
            fn_index, dep = found

            def fill(component: dict) -> object:
                if is_token_input(component):
                    return ""
                if component["props"].get("elem_id") == "kgqa-paste":
                    return _paste(marker)["text"]
                return f"Paste {marker}" if component.get("type") == "textbox" else None

            run_event(c, config, fn_index, dep, event_data(config, dep, fill), headers={"Origin": admin.origin})
    assert admin.hashes() == before and not admin.graph_contains(marker)
