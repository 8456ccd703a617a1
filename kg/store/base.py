"""What every triple store behind kgqa offers; kgqa talks SPARQL 1.1 to all of them."""

from __future__ import annotations

from abc import ABC, abstractmethod

from rdflib import Dataset

from ..results import QueryResult, Term

__all__ = ["GraphStore"]


class GraphStore(ABC):
    """A SPARQL 1.1 dataset with one named graph per article.

    ``run_query`` is for queries the guard (:mod:`kg.query_guard`) has already
    passed: it enforces the deadline and row cap. ``select`` is for kgqa's own
    trusted queries and has neither.
    """

    kind: str = "abstract"

    @abstractmethod
    def replace_graph(self, graph: str, ntriples: str, *, exists: bool = True) -> None:
        """Atomically make ``graph`` hold exactly ``ntriples`` (all or nothing).

        ``exists=False`` promises the graph is new, which lets a store load faster.
        """

    @abstractmethod
    def drop_graph(self, graph: str) -> None:
        """Remove ``graph`` and everything in it."""

    @abstractmethod
    def run_query(
        self, query: str, *, form: str, prefixes: dict[str, str], row_limit: int, timeout: float
    ) -> QueryResult:
        """Run a guarded query with the union of all graphs as its default graph."""

    @abstractmethod
    def select(self, query: str) -> list[tuple[Term | None, ...]]:
        """Rows of one of kgqa's own SELECT queries (explicit GRAPH patterns, no caps)."""

    @property
    @abstractmethod
    def dataset(self) -> Dataset:
        """The store through rdflib's API (oxrdflib or SPARQLUpdateStore)."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the data lives: a folder or an endpoint URL."""

    def size_on_disk(self) -> int | None:
        """Bytes the store occupies, when known."""
        return None

    def close(self) -> None:
        """Release files, processes and connections."""
