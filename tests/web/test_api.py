"""The JSON API in-process: the answer contract, search, articles, one error shape, origins, OpenAPI."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from .conftest import ADMIN

CONTRACT = {"answer", "abstained", "confidence", "certainty", "citations", "facts", "sparql", "question"}


def _error(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["status"] == response.status_code
    assert body["error"]["type"] and body["error"]["message"]
    return body["error"]


def test_ask_returns_the_answer_contract(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "Who is Iran's Defense Minister?"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == CONTRACT
    assert "Hatami" in body["answer"] and not body["abstained"]
    assert [c["n"] for c in body["citations"]] == list(range(1, len(body["citations"]) + 1))
    assert "Hatami" in body["citations"][0]["sentence"]


def test_ask_resolves_a_follow_up_from_history(client: TestClient) -> None:
    r = client.post("/api/ask", json={"question": "What did he say?", "history": [
        {"question": "Who is Iran's Defense Minister?", "answer": "Amir Hatami"}]})
    body = r.json()
    assert body["question"] == "What did Amir Hatami say?"
    assert not body["abstained"] and body["citations"]
    # Without the history the pronoun stays unresolved.
    assert client.post("/api/ask", json={"question": "What did he say?"}).json()["question"] == "What did he say?"


@pytest.mark.parametrize(("payload", "status"), [
    ({"question": ""}, 400), ({"question": "   "}, 400), ({"question": "x" * 2001}, 400), ({}, 422),
    ({"question": 5}, 422), ({"question": "ok", "history": [{"answer": "no question"}]}, 422),
])
def test_bad_questions_get_the_error_shape(client: TestClient, payload: dict, status: int) -> None:
    _error_body = _error(client.post("/api/ask", json=payload))
    assert _error_body["status"] == status


def test_malformed_json_is_a_422_in_the_error_shape(client: TestClient) -> None:
    r = client.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert _error(r)["status"] == 422


def test_search_ranks_sentences(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "Where was Aziz Asber killed?", "k": 3})
    results = r.json()["results"]
    assert len(results) == 3 and all(c["sentence"] for c in results)
    assert any("Asber" in c["sentence"] for c in results)
    assert _error(client.get("/api/search", params={"q": "x", "k": 0}))["status"] == 422


def test_articles_list_has_headline_counts_and_facts(client: TestClient) -> None:
    rows = client.get("/api/articles").json()["articles"]
    seed = next(r for r in rows if r["id"] == "000_b3bb278fd8698310")
    assert seed["headline"].startswith("Official Iran-Syria military agreement")
    assert seed["sentences"] > 30 and seed["facts"] > 10


def test_paste_ask_delete_round_trip(client: TestClient) -> None:
    tag = uuid.uuid4().hex[:8]
    text = f"The harbour master of Velmora{tag} is Orla Brennick. She took office on March 3, 2024."
    r = client.post("/api/articles", json={"title": f"Harbour news {tag}", "text": text}, headers=ADMIN)
    assert r.status_code == 201, r.text
    (result,) = r.json()["results"]
    (article_id,) = result["articles"]
    assert result["sentences"] >= 2 and not result["errors"]
    answer = client.post("/api/ask", json={"question": f"Who is the harbour master of Velmora{tag}?"}).json()
    assert "Orla Brennick" in answer["answer"]
    assert any(r["id"] == article_id for r in client.get("/api/articles").json()["articles"])
    assert client.delete(f"/api/articles/{article_id}", headers=ADMIN).json() == {"deleted": article_id}
    assert all(r["id"] != article_id for r in client.get("/api/articles").json()["articles"])
    assert _error(client.delete(f"/api/articles/{article_id}", headers=ADMIN))["status"] == 404
    gone = client.post("/api/ask", json={"question": f"Who is the harbour master of Velmora{tag}?"}).json()
    assert "Orla Brennick" not in gone["answer"]


def test_upload_files_reports_per_file(client: TestClient) -> None:
    tag = uuid.uuid4().hex[:8]
    good = (f"upload-{tag}.md", f"# Bridge opens {tag}\n\nThe Kelvane bridge opened on May 2, 2024.".encode())
    bad = (f"notes-{tag}.exe", b"MZ\x00\x01binary")
    r = client.post("/api/articles", files=[("files", good), ("files", bad)], headers=ADMIN)
    assert r.status_code == 201
    results = {x["name"]: x for x in r.json()["results"]}
    assert results[good[0]]["articles"] == [f"upload-{tag}"]
    assert "unsupported file type" in results[bad[0]]["errors"][0]
    client.delete(f"/api/articles/upload-{tag}", headers=ADMIN)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.txt", b"  \n ", "whitespace"),
    ("binary.txt", b"\x00\x01\x02\x03" * 100, "binary"),
    ("latin.json", b'{"title": 5, "body": "x"}', "title"),
])
def test_refused_uploads_store_nothing(client: TestClient, name: str, data: bytes, message: str) -> None:
    before = client.get("/api/articles").json()["articles"]
    err = _error(client.post("/api/articles", files={"files": (name, data)}, headers=ADMIN))
    assert err["status"] == 400 and message in err["message"].lower()
    assert client.get("/api/articles").json()["articles"] == before


def test_an_upload_over_the_size_cap_is_refused(client: TestClient, services) -> None:  # type: ignore[no-untyped-def]
    big = b"word " * (services.max_upload_bytes // 5 + 10)
    err = _error(client.post("/api/articles", files={"files": ("big.txt", big)}, headers=ADMIN))
    assert err["status"] == 413 and "KGQA_MAX_FILE_MB" in err["message"]


def test_unsupported_body_type_is_415(client: TestClient) -> None:
    assert _error(client.post("/api/articles", content=b"x", headers={"content-type": "text/plain", **ADMIN}))["status"] == 415


def test_cross_origin_requests(client: TestClient, allowed_host, other_host) -> None:  # type: ignore[no-untyped-def]
    ok = client.post("/api/ask", json={"question": "Who is Iran's Defense Minister?"},
                     headers={"Origin": allowed_host.origin})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == allowed_host.origin
    refused = client.post("/api/articles", json={"text": "Nothing to see."}, headers={"Origin": other_host.origin})
    assert _error(refused)["status"] == 403 and "KGQA_ALLOWED_ORIGINS" in refused.json()["error"]["message"]
    preflight = client.options("/api/ask", headers={"Origin": allowed_host.origin,
                                                    "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == allowed_host.origin
    assert client.options("/api/ask", headers={"Origin": other_host.origin,
                                               "Access-Control-Request-Method": "POST"}).status_code == 403


def test_pages_say_who_may_frame_them(client: TestClient, allowed_host, other_host) -> None:  # type: ignore[no-untyped-def]
    csp = client.get("/").headers["content-security-policy"]
    assert csp.startswith("frame-ancestors 'self'") and allowed_host.origin in csp and other_host.origin not in csp


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/search", "/api/articles", "/api/articles/{article_id}"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200
