"""The two Milvus collections that hold kgqa's passages, and the rows written into them.

``kgqa_passages`` has one row per sentence: its vector (``FLOAT_VECTOR``, inner product: the
vectors are normalised), its text with Milvus's built-in BM25 function (``text`` -> ``sparse``,
for users' own full-text and hybrid searches), kgqa's BM25 tokens of headline and sentence with a
second BM25 function (``terms`` -> ``terms_sparse``, the one kgqa's hybrid search uses), the word
pairs and paragraph tokens (kept for TEXT_MATCH, to count document frequencies), and the metadata
the answer pipeline reads (sentence IRI, article, section, index, offsets, headline, date, url,
commenter, paragraph, entity and date mentions) as JSON.

``kgqa_sentences`` finds a sentence's row from its IRI: keyed by a 63-bit hash of the IRI, it holds
the IRI and the row, so a lookup is a ``get`` by key (a filter on the passages scans them: on Milvus
Lite 50-130 ms a call on the BBC corpus, against 1 ms for a ``get``). Two IRIs with one hash keep
the later one; the other is found by the slower filter (:func:`sentence_key`).

``kgqa_articles`` is the ledger: one row per article whose passages are complete (its id, the
record hash of the graph it was built from, its sentence count), plus one row (key -1) naming the
embedding model. An article's rows are written before its ledger row and deleted before it, so
the ledger never names an article whose passages are not all there.

pymilvus is imported here only, and only when ``KGQA_VECTOR_URI`` is set.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.documents import Document

from kg import ConfigError

from ._segment import _paragraphs, dense_text
from ._text import bigrams, bm25_tokens

__all__ = ["PASSAGES", "ARTICLES", "SENTENCES", "sentence_key", "sentence_rows", "OUTPUT", "open_client",
           "create_collections", "passage_rows", "document_of", "quoted", "article_number", "ROW_BITS", "K1", "B", "read_ledger"]

log = logging.getLogger(__name__)

PASSAGES = "kgqa_passages"
ARTICLES = "kgqa_articles"
SENTENCES = "kgqa_sentences"
#: Low bits of a row's key: the sentence's index in its article (the high bits number the article), so the
#: sentence before a row is the row before it.
ROW_BITS = 19
_NUMBER_BITS = 44
_MAX_BYTES = 60_000  # under Milvus's 65,535-byte VARCHAR limit
K1, B = 0.9, 0.4  # the embedded index's BM25 (retrieval.index)
#: What a search or get returns of a row: enough to rebuild its LangChain document and its measures.
OUTPUT = ["sentence", "article", "idx", "section", "text", "terms", "para_terms", "meta", "vector"]
META_KEY = -1
_QUERY_LIMIT = 16_384  # the most rows one Milvus query returns


def open_client(uri: str) -> Any:
    """A ``MilvusClient`` for ``uri``: a local ``.db`` file runs Milvus Lite in this process, an
    ``http(s)://`` URI reaches a Milvus standalone or cluster."""
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise ConfigError("KGQA_VECTOR_URI needs the `scale` extra (pymilvus, milvus-lite): "
                          "pip install 'kgqa[scale]'") from None
    if not uri.startswith(("http://", "https://", "tcp://", "grpc://", "unix:")):
        if not uri.endswith(".db"):
            raise ConfigError(f"KGQA_VECTOR_URI={uri!r}: a local Milvus Lite file must end in .db "
                              "(e.g. ./passages.db), a server is an http:// URI")
        try:
            import milvus_lite  # noqa: F401
        except ImportError:
            raise ConfigError("KGQA_VECTOR_URI names a local file, which needs Milvus Lite: "
                              "pip install 'kgqa[scale]'") from None
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    return MilvusClient(uri)


def create_collections(client: Any, dimension: int) -> None:
    """Create the passage collection and the ledger, if missing."""
    from pymilvus import DataType, Function, FunctionType

    if not client.has_collection(PASSAGES):
        s = client.create_schema(auto_id=False, enable_dynamic_field=False)
        s.add_field("pk", DataType.INT64, is_primary=True)
        s.add_field("sentence", DataType.VARCHAR, max_length=4096)
        s.add_field("article", DataType.VARCHAR, max_length=4096)
        s.add_field("idx", DataType.INT64)
        s.add_field("section", DataType.VARCHAR, max_length=64)
        s.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True)
        for name in ("terms", "pairs", "para_terms"):
            s.add_field(name, DataType.VARCHAR, max_length=65535, enable_analyzer=True, enable_match=True,
                        analyzer_params={"tokenizer": "standard"})
        s.add_field("meta", DataType.JSON)
        s.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
        s.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_field("terms_sparse", DataType.SPARSE_FLOAT_VECTOR)
        s.add_function(Function(name="text_bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                output_field_names=["sparse"]))
        s.add_function(Function(name="terms_bm25", function_type=FunctionType.BM25, input_field_names=["terms"],
                                output_field_names=["terms_sparse"]))
        index = client.prepare_index_params()
        index.add_index("vector", index_type="FLAT", metric_type="IP")
        bm25 = {"bm25_k1": K1, "bm25_b": B}
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=bm25)
        index.add_index("terms_sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=bm25)
        client.create_collection(PASSAGES, schema=s, index_params=index, consistency_level="Strong")
    _create_table(client, SENTENCES, "key", {"sentence": 4096, "article": 4096, "row": None})
    _create_table(client, ARTICLES, "n", {"id": 4096, "hash": 4096, "sentences": None})
    for name in (PASSAGES, SENTENCES, ARTICLES):
        client.load_collection(name)


def _create_table(client: Any, name: str, key: str, fields: dict[str, int | None]) -> None:
    """A small keyed collection, if missing: INT64 ``key``, then VARCHAR fields (their maximum length) and
    INT64 ones (``None``)."""
    from pymilvus import DataType

    if client.has_collection(name):
        return
    s = client.create_schema(auto_id=False, enable_dynamic_field=False)
    s.add_field(key, DataType.INT64, is_primary=True)
    for field, length in fields.items():
        if length is None:
            s.add_field(field, DataType.INT64)
        else:
            s.add_field(field, DataType.VARCHAR, max_length=length)
    s.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector in every collection
    index = client.prepare_index_params()
    index.add_index("v", index_type="FLAT", metric_type="IP")
    client.create_collection(name, schema=s, index_params=index, consistency_level="Strong")


def read_ledger(client: Any) -> tuple[dict | None, dict[str, tuple[str, int, int]]]:
    """The model record, and for each article in the ledger: (record hash, its number, its sentence count)."""
    model = None
    articles: dict[str, tuple[str, int, int]] = {}
    for row in _all(client, ARTICLES, ["id", "hash", "sentences"]):
        if row["n"] == META_KEY:
            model = json.loads(row["hash"])
        else:
            articles[row["id"]] = (row["hash"], int(row["n"]), int(row["sentences"]))
    return model, articles


def _all(client: Any, collection: str, fields: list[str], batch: int = 8_000) -> Iterator[dict]:
    """Every row of the ledger, read in key ranges of about ``batch`` rows (article numbers are uniform hashes).

    Not ``query_iterator``: Milvus Lite lacks the timestamp call it starts with (pymilvus retries it for
    seconds), and a query returns at most 16,384 rows; a range that comes back full is split again.
    """
    counted = client.query(collection, filter="", output_fields=["count(*)"])
    total = int(counted[0]["count(*)"]) if counted else 0
    parts = max(1, -(-total // batch))
    step = -(-(1 << _NUMBER_BITS) // parts)
    ranges = [(META_KEY, 0)] + [(lo, min(lo + step, 1 << _NUMBER_BITS)) for lo in range(0, 1 << _NUMBER_BITS, step)]
    while ranges:
        lo, hi = ranges.pop()
        rows = client.query(collection, filter=f"n >= {lo} and n < {hi}", output_fields=fields, limit=_QUERY_LIMIT)
        if len(rows) >= _QUERY_LIMIT and hi - lo > 1:
            middle = (lo + hi) // 2
            ranges += [(lo, middle), (middle, hi)]
            continue
        yield from rows


def write_model(client: Any, model: dict) -> None:
    client.upsert(ARTICLES, [{"n": META_KEY, "id": "", "hash": json.dumps(model, sort_keys=True), "sentences": 0,
                              "v": [0.0, 0.0]}])


def article_number(article_id: str, taken: dict[int, str]) -> int:
    """The article's number (the high bits of its rows' keys): from a hash of its id, the next free one
    when another article has it (``taken``: number -> article id)."""
    n = int.from_bytes(hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest(), "big")
    n &= (1 << _NUMBER_BITS) - 1
    while taken.get(n, article_id) != article_id:
        n = (n + 1) & ((1 << _NUMBER_BITS) - 1)
    return n


def passage_rows(docs: Sequence[Document], vectors: Any, numbers: dict[str, int]) -> list[dict]:
    """The collection rows of some articles' sentences (``docs`` as :func:`retrieval._segment.passage_document`
    makes them, ``vectors`` their embeddings)."""
    paragraph_terms = {p.id: " ".join(bm25_tokens(p.page_content)) for p in _paragraphs(docs)}
    # A row's key is its article's number, then its position among the article's sentences in reading order
    # (the same as its index when, as kgqa writes them, indexes run 0..n-1): an article's keys are then
    # exactly the first n, which is what deleting by key relies on.
    order: dict[str, list[int]] = {}
    for d in docs:
        order.setdefault(d.metadata["article_id"], []).append(int(d.metadata["index"]))
    position = {(a, i): p for a, indexes in order.items() for p, i in enumerate(sorted(indexes))}
    out = []
    for d, v in zip(docs, vectors):
        m = d.metadata
        at = position[(m["article_id"], int(m["index"]))]
        if at >= (1 << ROW_BITS):
            raise ValueError(f"article {m['article_id']!r} has more than {1 << ROW_BITS} sentences")
        text = _cut(d.page_content)
        meta = dict(m) if text == d.page_content else {**m, "_text": d.page_content}
        out.append({
            "pk": (numbers[m["article_id"]] << ROW_BITS) | at, "sentence": m["sentence"],
            "article": m["article_id"], "idx": int(m["index"]), "section": m["section"] or "", "text": text,
            "terms": _cut(" ".join(bm25_tokens(dense_text(d)))),
            "pairs": _cut(" ".join(bigrams(bm25_tokens(d.page_content)))),
            "para_terms": _cut(paragraph_terms.get(m["segment"], "")), "meta": meta,
            "vector": [float(x) for x in v],
        })
    return out


def sentence_key(sentence_iri: str) -> int:
    """The key of a sentence's row in ``kgqa_sentences``: 63 bits of a hash of its IRI."""
    return int.from_bytes(hashlib.blake2b(sentence_iri.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def sentence_rows(passages: Sequence[dict]) -> list[dict]:
    """The ``kgqa_sentences`` rows of some passage rows (:func:`passage_rows`)."""
    return [{"key": sentence_key(p["sentence"]), "sentence": p["sentence"], "article": p["article"], "row": p["pk"],
             "v": [0.0, 0.0]} for p in passages]


def document_of(entity: dict) -> Document:
    """The LangChain document of a returned row: the one the embedded index holds for the same sentence."""
    meta = dict(entity["meta"])
    text = meta.pop("_text", None) or entity["text"]
    return Document(id=entity["sentence"], page_content=text, metadata=meta)


def quoted(values: Sequence[str] | str) -> str:
    """A string (or list of strings) as a Milvus filter literal."""
    return json.dumps(values if isinstance(values, str) else list(values), ensure_ascii=False)


def _cut(text: str) -> str:
    raw = text.encode("utf-8")
    return text if len(raw) <= _MAX_BYTES else raw[:_MAX_BYTES].decode("utf-8", "ignore")
