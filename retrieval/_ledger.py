"""What a passage store holds, compared with the graph: the one check every passage engine makes on opening.

Both engines (the embedded :class:`~retrieval.index.PassageIndex` and :class:`~retrieval._milvus.MilvusPassages`)
record which articles they hold, by the record hash of each article's graph; a store that differs from the graph
is refused with :class:`IndexMismatch` rather than answering from passages the graph no longer has.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import metadata

from kg import ConfigError

__all__ = ["ArticleLedger", "IndexMismatch", "installed_versions"]


class IndexMismatch(ConfigError):
    """The passage index on disk was not built from this graph (or with these settings)."""


@functools.cache  # installed versions do not change while a process runs (and reading them parses metadata)
def installed_versions(packages: tuple[str, ...]) -> dict[str, str]:
    """Package -> installed version ("?" when absent): recorded beside what they built, to tell when to rebuild."""
    out = {}
    for package in packages:
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "?"
    return out


class ArticleLedger:
    """Which articles (id -> record hash of the graph) a passage store holds, compared with the graph's."""

    articles: dict[str, str]

    @property
    def where(self) -> str:
        raise NotImplementedError

    def difference(self, graph_hashes: Mapping[str, str]) -> tuple[list[str], list[str], list[str]]:
        """Articles the graph has and the index lacks, the index has and the graph lacks, and both hold differently."""
        missing = sorted(set(graph_hashes) - set(self.articles))
        extra = sorted(set(self.articles) - set(graph_hashes))
        stale = sorted(i for i in set(graph_hashes) & set(self.articles) if graph_hashes[i] != self.articles[i])
        return missing, extra, stale

    def check(self, graph_hashes: Mapping[str, str]) -> None:
        """Refuse a graph whose articles differ from the ones this index was built from."""
        if dict(graph_hashes) == self.articles:
            return
        parts = []
        for label, ids in zip(("not indexed", "indexed but not in the graph", "changed"),
                              self.difference(graph_hashes)):
            if ids:
                parts.append(f"{len(ids)} {label} (e.g. {ids[0]})")
        raise IndexMismatch(
            f"the passage index in {self.where} does not match the graph: {'; '.join(parts)}. "
            "Was the store changed by another program? Run `kgqa reindex` to rebuild the index from the graph."
        )
