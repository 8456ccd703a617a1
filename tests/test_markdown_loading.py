"""Markdown articles become plain text through markdown-it-py (issue 26): what a reader sees, no markup.

The text is what sentence offsets are counted in, so it must be the same for the same file every time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.loading import load_file, markdown_to_text


def text(md: str) -> str:
    return markdown_to_text(md)[0]


def test_front_matter_fields_and_headline(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text('---\ntitle: "Bridge opens"\nAuthor: Ann Lee\nurl: https://news.example/b\n---\n'
                    "# Bridge opens\n\nThe bridge opened on *May 2*.\n", encoding="utf-8")
    article = next(load_file(path))
    assert (article.headline, article.author, article.url) == ("Bridge opens", "Ann Lee", "https://news.example/b")
    assert article.text == "Bridge opens\n\nThe bridge opened on May 2."
    assert "---" not in article.text and "title:" not in article.text


def test_nested_emphasis_and_escapes() -> None:
    assert text("A ***very* important** and _under **bold**_ word.") == "A very important and under bold word."
    assert text(r"Not \*emphasis\* and 2 * 3 * 4 and snake_case_name.") == \
        "Not *emphasis* and 2 * 3 * 4 and snake_case_name."
    assert text("Tom &amp; Jerry &copy; 2024") == "Tom & Jerry © 2024"


def test_links_keep_their_text_images_their_alt() -> None:
    md = ("See [the report][r] and [inline](http://x.example \"t\") or <https://auto.example>.\n\n"
          "![A *red* bridge](bridge.png)\n\n[r]: https://report.example\n")
    assert text(md) == "See the report and inline or https://auto.example.\n\nA red bridge"


def test_setext_and_atx_headings() -> None:
    assert text("Big title\n=========\n\nSmaller\n-------\n\n### Closed ###\n\nBody.") == \
        "Big title\n\nSmaller\n\nClosed\n\nBody."


def test_code_keeps_its_text_even_a_hash() -> None:
    md = "Run `make #1` now.\n\n```sh\n# a comment, not a heading\necho **not bold**\n```\n\n    indented # code\n"
    assert text(md) == "Run make #1 now.\n\n# a comment, not a heading\necho **not bold**\n\nindented # code"


def test_lists_quotes_rules_and_tables() -> None:
    md = ("Intro.\n\n- first item\n- second *item*\n\n1. one\n2. two\n\n> A quote\n> goes on.\n\n---\n\n"
          "| Name | Role |\n|------|------|\n| Ann | *chair* |\n| Bo | [clerk](x) |\n\nAfter.")
    assert text(md) == ("Intro.\n\nfirst item\nsecond item\n\none\ntwo\n\nA quote\ngoes on.\n\n"
                        "Name | Role\nAnn | chair\nBo | clerk\n\nAfter.")


def test_html_is_dropped_not_kept_as_markup() -> None:
    md = ("<div class=\"ad\">\n<script>steal()</script>\n</div>\n\n"
          "Text with <span onclick=\"x()\">inline</span> HTML.\n\n<!-- a comment -->\n\nEnd.")
    out = text(md)
    assert out == "Text with inline HTML.\n\nEnd."
    assert "<" not in out and "steal" not in out


@pytest.mark.parametrize("md", ["# Only *markup*\n\n---\n", "Para one.\n\nPara two with **bold**.\n" * 50])
def test_the_same_markdown_gives_the_same_text(md: str) -> None:
    first = markdown_to_text(md)
    assert all(markdown_to_text(md) == first for _ in range(3))


def test_markup_only_file_is_refused_as_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_text("---\ntitle: x\n---\n<div>only html</div>\n\n***\n", encoding="utf-8")
    from kg.errors import EmptyInput

    with pytest.raises(EmptyInput, match="no text"):
        next(load_file(path))
