"""Every query of the docs page "Querying the graph" (docs/querying.md) runs against the seed and gives the right answer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kg import KnowledgeGraph, QueryResult, Settings
from web.ui.sparql_tab import QUERYING, example_queries

from .conftest import ROOT, SEED

#: Read by the SPARQL tab's own parser (markdown-it-py), so the tab offers exactly what is checked here.
QUERIES = example_queries(QUERYING)


def _rows(result: QueryResult) -> list[dict[str, str]]:
    return [{k: v[1] for k, v in row.items() if v is not None} for row in result.bindings()]


def _posts(rows: list[dict[str, str]]) -> None:
    found = {(r["person"], r["title"], r.get("org")) for r in rows}
    assert ("Amir Hatami", "defence minister", "Iran") in found  # the canonical title: one row per post
    assert ("Sergey Lavrov", "foreign minister", "Russia") in found
    assert ("Imad Mughniyeh", "international operations chief", "Hezbollah") in found
    assert any(r["person"] == "Amir Hatami" and r.get("rank") == "Brigadier General" for r in rows)


def _hatami_said(rows: list[dict[str, str]]) -> None:
    assert len(rows) == 2
    assert "according to Iran’s Defense Minister" in rows[0]["sentence"]
    assert rows[1]["sentence"].startswith("He added that")


def _supports(rows: list[dict[str, str]]) -> None:
    assert len(rows) == 1
    row = rows[0]
    text = SEED.read_text(encoding="utf-8")
    assert text[int(row["begin"]) : int(row["end"])] == row["sentence"]
    assert row["sentence"].startswith("Syria depends on Iran for survival")


def _about(rows: list[dict[str, str]]) -> None:
    pairs = {(r["direction"], r["property"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], r["value"]) for r in rows}
    assert ("out", "altLabel", "Alinejad") in pairs
    assert ("out", "rank", "Brigadier General") in pairs
    assert any(d == "out" and p == "holds" and "military attaché" in v for d, p, v in pairs)
    assert any(d == "in" and p == "creator" for d, p, _ in pairs)  # his quotations


def _by_org(rows: list[dict[str, str]]) -> None:
    found = {(r["organisation"], r["person"]) for r in rows}
    assert ("Hezbollah", "Imad Mughniyeh") in found
    assert ("Masyaf Scientific Research Center", "Aziz Asber") in found
    assert not any(r["organisation"] in {"Iran", "Russia"} for r in rows)  # countries are places


def _by_date(rows: list[dict[str, str]]) -> None:
    assert rows and all("2010" <= r["date"] < "2016" for r in rows)
    assert any(r["subject"] == "Qassem Soleimani" and r["date"] == "2015" for r in rows)
    assert all("2015" in r["sentence"] or "2011" in r["sentence"] for r in rows)


def _mentioning(rows: list[dict[str, str]]) -> None:
    assert len(rows) == 1
    assert rows[0]["headline"].startswith("Official Iran-Syria military agreement")
    assert int(rows[0]["mentions"]) == 2


def _by_name(rows: list[dict[str, str]]) -> None:
    found = {(r["person"], r["resolved"], r.get("why")) for r in rows}
    assert ("Abolghassem Alinejad", "Abolghassem Alinejad", None) in found  # his own name: nothing to explain
    assert ("Abolghassem Alinejad", "Alinejad", "same-article") in found  # the merge, with its reason
    assert all(r["person"] == "Abolghassem Alinejad" and int(r["articles"]) == 1 for r in rows)


def _aliases(rows: list[dict[str, str]]) -> None:
    assert {"IRGC", "Guard Corps"} <= {r["alias"] for r in rows}


def _pronouns(rows: list[dict[str, str]]) -> None:
    found = {(r["speaker"], r["sentence"][:20]) for r in rows}
    assert found == {("Amir Hatami", "He added that the “w"), ("Abolghassem Alinejad", "He specified that Ir")}


def _acronyms(rows: list[dict[str, str]]) -> None:
    assert {(r["short"], r["long"]) for r in rows} == {
        ("IRGC", "Islamic Revolutionary Guard Corps"), ("SDF", "Syrian Democratic Forces"),
        ("SSM", "surface-to-surface missiles"),
    }


CHECKS: dict[str, Callable[[list[dict[str, str]]], None]] = {
    "Who holds which post?": _posts,
    "What did Amir Hatami say, with the sentence?": _hatami_said,
    'Which sentence supports "Syria depends on Iran"?': _supports,
    "Everything about an entity": _about,
    "People by organisation": _by_org,
    "Facts by date range": _by_date,
    "Articles mentioning Hezbollah": _mentioning,
    "Who goes by a name, in how many articles, and why": _by_name,
    "Aliases of an entity": _aliases,
    'Who is "he"? Quotations whose speaker is a pronoun': _pronouns,
    "Acronyms and what they stand for": _acronyms,
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeGraph]:
    folder: Path = tmp_path_factory.mktemp("readme")
    with KnowledgeGraph(Settings(data_dir=folder / "built")) as graph:
        graph.ingest([SEED])
        yield graph


def test_the_examples_are_read_from_the_docs_page() -> None:
    assert QUERYING.resolve() == (ROOT / "docs" / "querying.md").resolve()


def test_the_section_has_every_query_checked() -> None:
    assert len(QUERIES) >= 8
    assert set(QUERIES) == set(CHECKS)


@pytest.mark.parametrize("title", list(CHECKS))
def test_readme_query(title: str, seeded: KnowledgeGraph) -> None:
    rows = _rows(seeded.query(QUERIES[title]))
    assert rows, f"{title!r} returned nothing"
    CHECKS[title](rows)
