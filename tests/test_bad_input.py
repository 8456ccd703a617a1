"""Bad files give one clear message each; the other files of the run still load; nothing half-stored."""

from __future__ import annotations

import json
from pathlib import Path

from kg import KnowledgeGraph
from kg.loading import load_file

from .conftest import SEED


def quads(graph: KnowledgeGraph) -> set[tuple]:
    return set(graph.store.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))


def test_bad_files_reported_and_others_load(graph: KnowledgeGraph, tmp_path: Path) -> None:
    graph.ingest([SEED])
    before = quads(graph)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text("   \n\n  ")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20)
    with (folder / "huge.txt").open("wb") as f:
        f.write(b"Huge headline\n\n")
        f.write(b"All work and no play. " * (50 * 1024 * 1024 // 22 + 1))
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not really")
    (folder / "corpus.jsonl").write_text(
        json.dumps({"id": "ok/1", "title": "Good record", "body": "It loads fine."}) + "\n"
        + '{"id": "bad/2", "title": "Broken", "body": \n'
        + json.dumps({"id": "bad/3", "title": "No body"}) + "\n"
        + json.dumps({"id": "ok/4", "title": "Also good", "body": "It loads too."}) + "\n",
        encoding="utf-8",
    )
    (folder / "good.txt").write_text("A good article\n\nIt has one sentence.", encoding="utf-8")
    report = graph.ingest([folder])
    assert report.stored == 3, report.errors  # ok/1, ok/4, good
    messages = "\n".join(report.errors)
    assert len(report.errors) == 7, messages
    assert "empty.txt: the file is empty" in messages
    assert "blank.md: the file holds only whitespace" in messages
    assert "image.txt: this is a binary file" in messages
    assert "huge.txt: the file is 52.4 MB, over the 20.0 MB limit" in messages
    assert "notes.docx: skipped: unsupported file type '.docx'" in messages
    assert "corpus.jsonl:2: invalid JSON" in messages
    assert "corpus.jsonl:3: the record has no non-empty string field 'body'" in messages
    assert all("\n" not in e for e in report.errors)
    after = quads(graph)
    assert before <= after
    ids = {a.id for a in graph.articles()}
    assert ids == {"000_b3bb278fd8698310", "ok/1", "ok/4", "good"}


def test_html_scripts_never_reach_the_graph(embedded: KnowledgeGraph, tmp_path: Path) -> None:
    page = tmp_path / "evil.html"
    page.write_text(
        "<html><head><title>Council votes on bridge</title><script>steal('COOKIE-THIEF')</script></head><body>"
        "<article><h1>Council votes on bridge</h1><p>The city council voted on Monday to fund the new river bridge, "
        "the mayor said in a statement to reporters.</p><img src=x onerror=\"alert('IMG-XSS')\">"
        "<p>Work is due to start in the spring and should take two years to finish.</p>"
        "<iframe src=\"javascript:alert('IFRAME-XSS')\"></iframe></article></body></html>",
        encoding="utf-8",
    )
    assert embedded.ingest([page]).stored == 1
    text = embedded.query("SELECT ?t WHERE { ?c nif:isString ?t }").values("t")
    joined = " ".join(text)
    assert "river bridge" in joined
    for payload in ("COOKIE-THIEF", "IMG-XSS", "IFRAME-XSS", "<script", "onerror"):
        assert payload not in joined


def test_cp1252_and_formats(tmp_path: Path) -> None:
    (tmp_path / "pound.txt").write_bytes("Costs rise\n\nIt cost £5 – or so.".encode("cp1252"))
    (tmp_path / "story.md").write_text(
        "---\ntitle: Markdown story\nauthor: Ann Lee\ndate: 2020-01-02\n---\n# Markdown story\n\n"
        "Some **bold** text with a [link](http://x.example). More _text_ here.\n",
        encoding="utf-8",
    )
    (tmp_path / "one.json").write_text(json.dumps({"title": "Json story", "body": "Body here.", "url": "http://x.example/a",
                                                   "author": "Bo Chan", "published_at": "2023-10-05T14:00:00+00:00"}))
    pound = next(load_file(tmp_path / "pound.txt"))
    assert pound.text == "Costs rise\n\nIt cost £5 – or so." and pound.headline == "Costs rise"
    md = next(load_file(tmp_path / "story.md"))
    assert (md.headline, md.author, md.published) == ("Markdown story", "Ann Lee", "2020-01-02")
    assert "Some bold text with a link. More text here." in md.text
    js = next(load_file(tmp_path / "one.json"))
    assert (js.headline, js.url, js.author) == ("Json story", "http://x.example/a", "Bo Chan")


def test_bbc_shape_records(tmp_path: Path) -> None:
    record = {"id": "business/001", "title": "Ad sales boost Time Warner profit",
              "body": "Quarterly profits at US media giant TimeWarner jumped 76%.\n\nIt said so.",
              "category": "business", "source": "BBC News"}
    path = tmp_path / "bbc.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    article = next(load_file(path))
    assert (article.id, article.category, article.publisher) == ("business/001", "business", "BBC News")
    assert article.text.startswith("Ad sales boost Time Warner profit\n\nQuarterly")


def test_nul_anywhere_is_refused_and_nothing_is_stored(embedded: KnowledgeGraph, tmp_path: Path) -> None:
    """Issue 22 item 9: only the first 8 KB were searched for NUL bytes; one after them was stored and served.
    Now a NUL anywhere (raw, in UTF-16, or as JSON's \\u0000 escape) refuses the article with a clear error."""
    late = tmp_path / "late-nul.txt"
    late.write_bytes(b"Headline\n\n" + b"Rain fell in Madrid. " * 500 + b"\x00 hidden")  # NUL past 10 KB
    utf16 = tmp_path / "utf16-nul.txt"
    utf16.write_bytes("Headline\n\nRain fell in Madrid.\x00 hidden".encode("utf-16"))
    escaped = tmp_path / "escaped-nul.json"
    escaped.write_text(json.dumps({"title": "Headline", "body": "Rain fell in Madrid.\u0000 hidden"}), encoding="utf-8")
    report = embedded.ingest([late, utf16, escaped])
    assert report.stored == 0, report
    assert len(report.errors) == 3 and all("NUL" in e for e in report.errors), report.errors
    assert embedded.article_hashes() == {}
