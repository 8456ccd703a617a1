from __future__ import annotations

from kg.loading import load_file
from kg.segmenting import segment

from .conftest import FIXTURES, SEED


def kinds(text: str) -> list[tuple[str, str, str | None]]:
    return [(s.kind, text[s.start : s.end], s.commenter) for s in segment(text).segments]


def test_seed_author_comment_and_boilerplate() -> None:
    text = SEED.read_text(encoding="utf-8")
    result = segment(text)
    assert result.author == "Amir Toumaj"
    got = kinds(text)
    by_text = {t: (k, c) for k, t, c in got}
    assert got[0][0] == "headline"
    assert by_text["Amir Toumaj is a independent analyst and contributor to FDD's Long War Journal."][0] == "byline"
    comment = [(k, c) for k, t, c in got if t.startswith("When the dust finally settles")]
    assert comment == [("comment", "Thomas J Irwin")]
    for boiler in ("Islamic state", "Al shabaab", "Boko Haram", "Tags: , ,", "1 Comment"):
        assert by_text[boiler][0] == "boilerplate", boiler
    assert not any(k == "comment" for k, t, c in got if "Tehran" in t)  # article text is never a comment
    assert by_text["Source: ISIS, Aug. 30, 2018."][0] == "caption"


def test_html_page_with_comment_section() -> None:
    article = next(load_file(FIXTURES / "blog_with_comments.html"))
    assert article.author == "Maria Lopez"
    assert article.headline == "Port strike ends after talks"
    got = kinds(article.text)
    comments = [(t, c) for k, t, c in got if k == "comment"]
    assert comments == [
        ("The union caved far too early. Management won this round.", "Dave Pike"),
        ("Good news for the town. My brother works at the docks.", "Lena Ortiz"),
    ]
    body = " ".join(t for k, t, c in got if k == "body")
    assert "Tomas Greer" in body and "backlog of containers" in body
    assert "caved" not in body
    assert "TRACKING-SCRIPT-TEXT" not in article.text and "XSS-IN-BODY" not in article.text


def test_general_patterns() -> None:
    text = "\n\n".join([
        "Budget row deepens",
        "Home > Politics > Budget",
        "By Jane Roe and Sam Poe, Political Correspondents",
        "Photo: Getty Images",
        "Ministers clashed on Tuesday over the budget. The vote is next week.",
        "Share this article: Facebook Twitter Email",
        "Related topics: Budget, Parliament",
        "3 responses",
        "— Ann Bee said:",
        "I never trusted them.",
        "Reply",
        "Bo Chan wrote:",
        "Agreed.",
    ])
    got = kinds(text)
    assert [k for k, _, _ in got] == [
        "headline", "boilerplate", "byline", "caption", "body", "boilerplate", "boilerplate",
        "boilerplate", "boilerplate", "comment", "boilerplate", "boilerplate", "comment",
    ]
    assert [c for k, _, c in got if k == "comment"] == ["Ann Bee", "Bo Chan"]
    assert segment(text).author == "Jane Roe and Sam Poe"


def test_short_lede_is_not_a_caption() -> None:
    text = "Dollar slides\n\nThe dollar has hit a new low.\n\nTraders sold.\n\nMore later today."
    assert kinds(text)[1][0] == "body"
