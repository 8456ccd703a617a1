"""Passages on Milvus (``KGQA_VECTOR_URI``): the same reads and changes as the embedded index.

:class:`MilvusPassages` answers what the retriever, the composer and the library ask of
:class:`retrieval.index.PassageIndex` (rows, ``row_of``, ``article_rows``, ``neighbour``, the first
stage, ``with_changes``, the ledger of article hashes) from the collections of
:mod:`retrieval._milvus_store`. A row is a sentence's key in the collection (its article's number,
then its position in reading order), so the row before a sentence is the sentence before it.

**The first stage** is Milvus's own: ``hybrid_search`` over the sentence vectors and the built-in
BM25 of kgqa's terms, fused by Milvus's ``RRFRanker``, gives :data:`CANDIDATES` sentences (plus the
sentences the question's graph facts come from). Their measures are then worked out as the embedded
index does, over them only: the cosine from the stored vectors, and the sentence, paragraph and
word-pair BM25 with document frequencies counted among the candidates; the retriever's later
stages (features, learned re-ranker, cross-encoder, answer scorer) run on them unchanged.

**Snapshots.** A :class:`MilvusPassages` is one view: its ledger (articles and their hashes) is
fixed, but the collection it reads is the live one, so a request that overlaps a change may see a
replaced article's new sentences (never a partial article: rows are written before the ledger row).
A view keeps nothing it reads: each ``docs`` is a reader of its own, and the first stage hands the
candidates it read to the caller (:attr:`FirstStage.read`), so no cache is shared between requests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from langchain_core.documents import Document

from kg import StoredSentence
from kg.timing import stage

from ._first_stage import FirstStage, bm25_rows
from ._milvus_store import (ARTICLES, B, K1, OUTPUT, PASSAGES, ROW_BITS, SENTENCES, article_number,
                            create_collections, document_of, open_client, passage_rows, quoted, read_ledger,
                            sentence_key, sentence_rows, write_model)
from ._segment import dense_text, passage_document
from ._text import bigrams
from .embedding import SentenceEmbeddings
from ._ledger import ArticleLedger, IndexMismatch

__all__ = ["MilvusPassages", "MilvusBackend", "CANDIDATES"]

log = logging.getLogger(__name__)

#: Sentences the hybrid search returns per question (each of its two searches reads this many).
CANDIDATES = 300
_RRF_K = 60
_INSERT_BATCH = 1_000
MILVUS_FORMAT = 2  # 2: the kgqa_sentences collection
_VOCABULARY_ROWS = 2_000


class MilvusBackend:
    """One ``MilvusClient`` for the library's lifetime, and the views over its collections."""

    def __init__(self, uri: str, embeddings: SentenceEmbeddings) -> None:
        self.uri = uri
        self.embeddings = embeddings
        self.client = open_client(uri)

    def model(self) -> dict:
        return {"format": MILVUS_FORMAT, "model": self.embeddings.model_name, "encoder": self.embeddings.identity,
                "dimension": int(self.embeddings.dimension)}

    def exists(self) -> bool:
        return all(self.client.has_collection(name) for name in (PASSAGES, SENTENCES, ARTICLES))

    def empty(self, *, drop: bool = False) -> MilvusPassages:
        """An empty collection (``drop``: after dropping what was there)."""
        if drop:
            for name in (PASSAGES, SENTENCES, ARTICLES):
                if self.client.has_collection(name):
                    self.client.drop_collection(name)
        create_collections(self.client, int(self.embeddings.dimension))
        write_model(self.client, self.model())
        _, ledger = read_ledger(self.client)
        return MilvusPassages(self, ledger)

    def load(self) -> MilvusPassages:
        """The collection as it is; :class:`IndexMismatch` if it was embedded with another model."""
        create_collections(self.client, int(self.embeddings.dimension))
        model, ledger = read_ledger(self.client)
        if model is not None and model != self.model():
            raise IndexMismatch(f"the passages in {self.uri} were embedded with {model}, but this library embeds with "
                                f"{self.model()}; run `kgqa reindex`")
        if model is None:
            write_model(self.client, self.model())
        return MilvusPassages(self, ledger)

    def close(self) -> None:
        """Close the client; a Milvus Lite file is closed too (its server runs in this process)."""
        try:
            self.client.close()
            if self.uri.endswith(".db") and "://" not in self.uri:
                from milvus_lite import server_manager_instance

                server_manager_instance.release_server(self.uri)
        except Exception as exc:  # closing must not hide the error that closed the library
            log.debug("closing the Milvus client: %s", exc)


class _Rows(Sequence[Document]):
    """A view's sentences by row (key), for one reader: each ``view.docs`` is a new one, so what it has read
    is never shared between requests (a row read twice by one reader is read once)."""

    def __init__(self, view: MilvusPassages) -> None:
        self._view = view
        self._read: dict[int, Document] = {}

    def __len__(self) -> int:
        return len(self._view)

    def __getitem__(self, row):  # type: ignore[no-untyped-def,override]
        doc = self._read.get(int(row))
        if doc is None:
            self._read.update(self._view.read([int(row)]))
            doc = self._read.get(int(row))
        if doc is None:
            raise IndexError(row)
        return doc

    def __iter__(self) -> Iterator[Document]:
        """Every sentence, article by article, each in reading order (reads the whole collection)."""
        for article in sorted(self._view.articles):
            found = self._view.client.query(PASSAGES, filter=f"article == {quoted(article)}", output_fields=OUTPUT)
            yield from (document_of(e) for e in sorted(found, key=lambda e: int(e["pk"])))


class MilvusPassages(ArticleLedger):
    """The passages in a Milvus collection, as the retriever and the library read and change them."""

    def __init__(self, backend: MilvusBackend, ledger: Mapping[str, tuple[str, int, int]]) -> None:
        self.backend = backend
        self.embeddings = backend.embeddings
        self._ledger = dict(ledger)
        #: Article id -> record hash of the graph it was built from, for every article the collection holds.
        self.articles = {a: h for a, (h, _, _) in self._ledger.items()}
        self._size = sum(n for _, _, n in self._ledger.values())
        self.segments: tuple = ()

    @property
    def where(self) -> str:
        return self.backend.uri

    @property
    def client(self) -> Any:
        return self.backend.client

    def __len__(self) -> int:
        return self._size

    @property
    def docs(self) -> Sequence[Document]:
        return _Rows(self)

    # --- reading rows ------------------------------------------------------------

    def read(self, rows: Iterable[int]) -> dict[int, Document]:
        """The stored sentences of ``rows`` (those that exist), in one call."""
        wanted = sorted({int(r) for r in rows if int(r) >= 0})
        if not wanted:
            return {}
        return {int(e["pk"]): document_of(e) for e in self.client.get(PASSAGES, ids=wanted, output_fields=OUTPUT)}

    def row_of(self, sentence_iri: str) -> int | None:
        return self.rows_of([sentence_iri]).get(sentence_iri)

    def rows_of(self, sentence_iris: Iterable[str]) -> dict[str, int]:
        """The rows of those of ``sentence_iris`` that are stored: a ``get`` by their keys in ``kgqa_sentences``,
        then a filter on the passages for any not found that way (an IRI whose key another sentence took; kgqa
        asks only for stored sentences, so this is rare)."""
        wanted = {sentence_key(s): s for s in sentence_iris}
        if not wanted:
            return {}
        found = {e["sentence"]: int(e["row"]) for e in
                 self.client.get(SENTENCES, ids=sorted(wanted), output_fields=["sentence", "row"])}
        taken = sorted(s for s in wanted.values() if s not in found)
        if taken:
            for e in self.client.query(PASSAGES, filter=f"sentence in {quoted(taken)}", output_fields=["pk"]):
                found[e["sentence"]] = int(e["pk"])
        return {s: found[s] for s in wanted.values() if s in found}

    def article_rows(self, article_id: str) -> list[int]:
        """Rows of one article's sentences, in reading order."""
        if article_id not in self._ledger:
            return []
        found = self.client.query(PASSAGES, filter=f"article == {quoted(article_id)}", output_fields=["pk"])
        return sorted(int(e["pk"]) for e in found)

    def neighbour_row(self, row: int, step: int) -> int | None:
        """The row of the sentence ``step`` places away in the same article, if stored."""
        found = self.neighbours([row], step)
        return found[int(row)][0] if int(row) in found else None

    def neighbour(self, row: int, step: int) -> Document | None:
        found = self.neighbours([row], step)
        return found[int(row)][1] if int(row) in found else None

    def neighbours(self, rows: Iterable[int], step: int) -> dict[int, tuple[int, Document]]:
        """For each of ``rows`` whose article has a sentence ``step`` places away: its row and document, read in
        one call (a row's key is its article's number, then its position, so the neighbour is ``row + step``)."""
        near = {int(r): int(r) + step for r in rows
                if int(r) + step >= 0 and (int(r) + step) >> ROW_BITS == int(r) >> ROW_BITS}
        found = self.read(near.values())
        return {r: (n, found[n]) for r, n in near.items() if n in found}

    # --- the first stage -------------------------------------------------------------

    def first_stage(self, vector: np.ndarray, words: list[str], also: Iterable[str] = ()) -> FirstStage:
        """Milvus's hybrid search (dense + BM25, RRF) for the candidates, then their measures."""
        from pymilvus import AnnSearchRequest, RRFRanker

        q = np.asarray(vector, dtype=np.float32)
        requests = [AnnSearchRequest([q.tolist()], "vector", {"metric_type": "IP"}, limit=CANDIDATES)]
        if words:
            requests.append(AnnSearchRequest([" ".join(words)], "terms_sparse", {"metric_type": "BM25"},
                                             limit=CANDIDATES))
        hits = self.client.hybrid_search(PASSAGES, requests, RRFRanker(_RRF_K), limit=CANDIDATES,
                                         output_fields=OUTPUT)[0]
        rows: list[int] = []
        docs: list[Document] = []  # read here, handed to the caller with the measures
        vectors: list[Any] = []
        terms: list[list[str]] = []
        paragraphs: list[list[str]] = []

        def take(entity: dict, pk: int) -> None:
            docs.append(document_of(entity))
            rows.append(pk)
            vectors.append(entity["vector"])
            terms.append(entity["terms"].split())
            paragraphs.append(entity["para_terms"].split())

        for hit in hits:
            take(hit["entity"], int(hit.get("pk", hit["entity"].get("pk", -1))))
        found = {d.id for d in docs}
        missing = sorted(s for s in also if s not in found)
        if missing:  # the sentences the question's graph facts come from are candidates too
            more = sorted(set(self.rows_of(missing).values()))
            for e in self.client.get(PASSAGES, ids=more, output_fields=OUTPUT) if more else ():
                take(e, int(e["pk"]))
        pairs = [bigrams(t) for t in (_sentence_terms(d) for d in docs)]
        n = len(rows)
        dense = (np.asarray(vectors, dtype=np.float32) @ q).astype(np.float32) if n else np.zeros(0, np.float32)
        scores = [bm25_rows(field, query, _local_df(field), n, k1=K1, b=B)
                  for field, query in ((terms, words), (paragraphs, words), (pairs, bigrams(words)))]
        sections = np.array([d.metadata["section"] for d in docs], dtype=object)
        return FirstStage(dense, scores[0], scores[1], scores[2], sections, rows=np.asarray(rows, dtype=np.int64),
                          document_frequency=_local_df(terms), documents=n, read=dict(zip(rows, docs)))

    def document_frequency(self, token: str) -> int:
        """1 when a stored sentence's BM25 terms (headline and sentence) hold ``token``, else 0: whether the
        collection has the word at all (counting with TEXT_MATCH scans the collection on Milvus Lite, seconds a
        word). The retriever's IDF counts among the candidates instead."""
        return int(token in self.stored_words([token]))

    def stored_words(self, tokens: Iterable[str]) -> frozenset[str]:
        """Those of ``tokens`` some stored sentence has: one BM25 search of one row per token, in one call."""
        words = sorted({t for t in tokens if t.replace("_", "").isalnum()})
        if not words:
            return frozenset()
        found = self.client.search(PASSAGES, words, anns_field="terms_sparse", search_params={"metric_type": "BM25"},
                                   limit=1)
        return frozenset(w for w, hits in zip(words, found) if len(hits))

    def vocabulary(self, prefix: str = "") -> Iterable[str]:
        """The BM25 terms starting with ``prefix`` of some stored sentences (at most :data:`_VOCABULARY_ROWS`
        rows are read: a scan, so only for a name no stored sentence has, to match a misspelling)."""
        if not prefix.isalnum():
            return ()
        found = self.client.query(PASSAGES, filter=f'terms like "{prefix}%" or terms like "% {prefix}%"',
                                  output_fields=["terms"], limit=_VOCABULARY_ROWS)
        return sorted({t for e in found for t in e["terms"].split() if t.startswith(prefix)})

    # --- changing -----------------------------------------------------------------------

    def with_changes(self, remove: Iterable[str], add: Sequence[StoredSentence], hashes: Mapping[str, str], *,
                     progress: bool = False, encoder: SentenceEmbeddings | None = None) -> MilvusPassages:
        """Drop the ``remove`` articles and (re)write the articles of ``hashes`` from their sentences ``add``:
        rows first, then the ledger, so a crash in between leaves what the next sync repairs."""
        gone = sorted(set(remove) | set(hashes))
        ledger = dict(self._ledger)
        if gone:
            with stage("delete passages"):
                new_counts: dict[str, int] = {}
                for s in add:
                    if s.article_id in hashes:
                        new_counts[s.article_id] = new_counts.get(s.article_id, 0) + 1
                self._delete_rows(gone, ledger, new_counts)
        dropped = [a for a in set(remove) - set(hashes) if a in ledger]
        if dropped:
            self.client.delete(ARTICLES, ids=[ledger.pop(a)[1] for a in dropped])
        if hashes:
            taken = {n: a for a, (_, n, _) in ledger.items()}
            numbers = {}
            for a in sorted(hashes):
                numbers[a] = article_number(a, taken)
                taken[numbers[a]] = a
            docs = [passage_document(s) for s in add if s.article_id in hashes]
            with stage("embed sentences"):
                vectors = (encoder or self.embeddings).encode([dense_text(d) for d in docs], progress=progress) \
                    if docs else np.zeros((0, self.embeddings.dimension), dtype=np.float32)
            with stage("write passages"):
                rows = passage_rows(docs, vectors, numbers)
                for start in range(0, len(rows), _INSERT_BATCH):
                    self.client.insert(PASSAGES, rows[start:start + _INSERT_BATCH])
                    # upsert: an IRI whose key another article's sentence has replaces it (that one is then
                    # found by the slower filter, see rows_of)
                    self.client.upsert(SENTENCES, sentence_rows(rows[start:start + _INSERT_BATCH]))
            counts: dict[str, int] = dict.fromkeys(hashes, 0)
            for d in docs:
                counts[d.metadata["article_id"]] += 1
            self.client.upsert(ARTICLES, [{"n": numbers[a], "id": a, "hash": h, "sentences": counts[a], "v": [0.0, 0.0]}
                                          for a, h in hashes.items()])
            ledger.update({a: (h, numbers[a], counts[a]) for a, h in hashes.items()})
        return MilvusPassages(self.backend, ledger)

    def _delete_rows(self, gone: list[str], ledger: Mapping[str, tuple[str, int, int]],
                     new_counts: Mapping[str, int]) -> None:
        """Delete the passage and sentence rows of the ``gone`` articles, by key.

        Every version of an article is written under its number followed by positions 0..n-1, so its rows
        are the first max(ledger count, new count) keys, unless a write that stopped halfway left more: the
        key just past them shows that, and those articles are deleted by a filter (a scan of the collection:
        0.5 s a call on Milvus Lite at 200k sentences, where a delete by key takes milliseconds).
        """
        taken = {n: a for a, (_, n, _) in ledger.items()}
        spans = {}
        for a in gone:
            number = ledger[a][1] if a in ledger else article_number(a, taken)
            spans[a] = (number, max(ledger[a][2] if a in ledger else 0, new_counts.get(a, 0)))
        past = {(n << ROW_BITS) | c: a for a, (n, c) in spans.items()}
        found = self.client.get(PASSAGES, ids=sorted(past), output_fields=["pk"])
        leftover = sorted({past[int(e["pk"])] for e in found})
        keys = [(n << ROW_BITS) | i for a, (n, c) in spans.items() if a not in leftover for i in range(c)]
        for start in range(0, len(keys), _INSERT_BATCH):
            batch = keys[start:start + _INSERT_BATCH]
            found = self.client.get(PASSAGES, ids=batch, output_fields=["sentence"])
            if found:
                self.client.delete(SENTENCES, ids=[sentence_key(e["sentence"]) for e in found])
                self.client.delete(PASSAGES, ids=[int(e["pk"]) for e in found])
        for start in range(0, len(leftover), _INSERT_BATCH):
            these = quoted(leftover[start:start + _INSERT_BATCH])
            log.warning("deleting the passages of %d article(s) an interrupted write left, by a scan", len(these))
            self.client.delete(PASSAGES, filter=f"article in {these}")
            self.client.delete(SENTENCES, filter=f"article in {these}")

    def save(self) -> None:
        """Nothing to do: Milvus has written every change (Milvus Lite to its write-ahead log)."""

    def merge_plan(self) -> list[str]:
        return []  # Milvus compacts its own segments


def _sentence_terms(doc: Document) -> list[str]:
    from ._text import bm25_tokens

    return bm25_tokens(doc.page_content)


def _local_df(documents: list[list[str]]) -> Any:
    """Document frequencies among the candidates (the collection's are one query per word away)."""
    sets = [set(d) for d in documents]

    def df(term: str) -> int:
        return sum(term in s for s in sets)

    return df
