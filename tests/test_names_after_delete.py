"""After a delete, the names table is read again from the articles left: in the background, or before returning."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg import Settings
from retrieval import Library

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "articles"
MAYOR = ("person", "Ana Lopez")


def _articles(tmp_path: Path) -> tuple[Path, Path]:
    madrid = tmp_path / "madrid.txt"
    madrid.write_text("Rain in Madrid\n\nIt rained in Madrid on Aug. 3, 2018. Mayor Ana Lopez said the streets "
                      "flooded.\n")
    lisbon = tmp_path / "lisbon.txt"
    lisbon.write_text("Sun in Lisbon\n\nIt was sunny in Lisbon on Aug. 3, 2018. Mayor Rui Costa said the beaches "
                      "were full.\n")
    return madrid, lisbon


def _knows(lib: Library, name: str) -> bool:
    return bool(lib.snapshot().names.lookup(name))


@pytest.mark.parametrize("background", [True, False], ids=["background", "on return"])
def test_a_deleted_articles_names_go_and_the_rest_stay(settings: Settings, tmp_path: Path, background: bool) -> None:
    madrid, lisbon = _articles(tmp_path)
    with Library(settings, merge_in_background=background) as lib:
        lib.ingest([madrid, lisbon])
        assert _knows(lib, "Ana Lopez") and _knows(lib, "Rui Costa")
        generation = lib.generation
        lib.delete("madrid")
        lib.wait_for_merges()
        assert not _knows(lib, "Ana Lopez"), "the deleted article's name is still linked"
        assert _knows(lib, "Rui Costa")
        assert lib.generation > generation
        assert lib.graph.alias_table_current


def test_an_ingest_right_after_a_delete_resolves_against_the_articles_left(settings: Settings,
                                                                           tmp_path: Path) -> None:
    """The ingest reads the table again itself if the background read has not finished: the library ends as
    one that never held the deleted article (the same names)."""
    madrid, lisbon = _articles(tmp_path)
    with Library(settings) as lib:
        lib.ingest([madrid, lisbon])
        lib.delete("madrid")
        lib.ingest([SEED])  # may run before the background read: it must not resolve against Madrid's names
        lib.wait_for_merges()
        after_delete = set(lib.graph.alias_table().lookup("Ana Lopez"))
        names = {n for n in ("Rui Costa", "Ana Lopez") if _knows(lib, n)}
    assert not after_delete and names == {"Rui Costa"}
