"""An in-memory, on-disk-persisted dense index behind LangChain's ``VectorStore`` interface.

Vectors are normalised, so cosine similarity is a dot product over one
float32 matrix. Deployments that outgrow it can put any LangChain vector store
(Qdrant, pgvector, ...) behind the same calls.

>>> from retrieval.embedding import SentenceEmbeddings
>>> store = NumpyVectorStore(SentenceEmbeddings("all-MiniLM-L6-v2"))
>>> store.add_texts(["Iran's defense minister is Amir Hatami.", "It rained in Madrid."], ids=["a", "b"])
['a', 'b']
>>> [d.id for d in store.similarity_search("Who is the defence minister?", k=1)]
['a']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore

__all__ = ["NumpyVectorStore", "top_k"]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, best first (ties by lower index)."""
    k = min(k, scores.shape[0])
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k] if k < scores.shape[0] else np.arange(scores.shape[0])
    return part[np.lexsort((part, -scores[part]))]


class NumpyVectorStore(VectorStore):
    """Documents and their vectors in memory; :meth:`save` / :meth:`load` persist them."""

    def __init__(self, embedding: Embeddings, dimension: int | None = None) -> None:
        self._embedding = embedding
        self.ids: list[str] = []
        self.docs: list[Document] = []
        self.matrix = np.zeros((0, dimension or 0), dtype=np.float32)
        self._row: dict[str, int] = {}

    @property
    def embeddings(self) -> Embeddings:
        return self._embedding

    def __len__(self) -> int:
        return len(self.ids)

    # --- writing -------------------------------------------------------------

    def add_vectors(self, docs: Sequence[Document], vectors: np.ndarray, ids: Sequence[str]) -> list[str]:
        """Add documents whose vectors are already computed (rows of ``vectors``)."""
        if len(docs) != len(ids) or vectors.shape[0] != len(ids):
            raise ValueError("documents, vectors and ids must have the same length")
        if not len(ids):
            return []
        self.delete(list(ids))
        vectors = np.asarray(vectors, dtype=np.float32)
        self.matrix = vectors if not len(self.ids) else np.vstack([self.matrix, vectors])
        for doc, doc_id in zip(docs, ids):
            self._row[doc_id] = len(self.ids)
            self.ids.append(doc_id)
            self.docs.append(Document(id=doc_id, page_content=doc.page_content, metadata=dict(doc.metadata)))
        return list(ids)

    def add_texts(
        self, texts: Iterable[str], metadatas: list[dict] | None = None, *, ids: list[str] | None = None, **kwargs: Any
    ) -> list[str]:
        texts = list(texts)
        ids = list(ids) if ids is not None else [str(len(self.ids) + i) for i in range(len(texts))]
        metadatas = metadatas or [{} for _ in texts]
        vectors = np.asarray(self._embedding.embed_documents(texts), dtype=np.float32)
        docs = [Document(page_content=t, metadata=m) for t, m in zip(texts, metadatas)]
        return self.add_vectors(docs, vectors.reshape(len(texts), -1), ids)

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        if ids is None:
            return False
        drop = {self._row[i] for i in ids if i in self._row}
        if not drop:
            return False
        keep = [r for r in range(len(self.ids)) if r not in drop]
        self.matrix = self.matrix[keep]
        self.ids = [self.ids[r] for r in keep]
        self.docs = [self.docs[r] for r in keep]
        self._row = {doc_id: r for r, doc_id in enumerate(self.ids)}
        return True

    def get_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        return [self.docs[self._row[i]] for i in ids if i in self._row]

    # --- searching -----------------------------------------------------------

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of every stored row to one normalised query vector."""
        if not len(self.ids):
            return np.zeros(0, dtype=np.float32)
        return self.matrix @ np.asarray(vector, dtype=np.float32)

    def similarity_search_with_score_by_vector(self, embedding: list[float], k: int = 4) -> list[tuple[Document, float]]:
        scores = self.scores(np.asarray(embedding, dtype=np.float32))
        return [(self.docs[r], float(scores[r])) for r in top_k(scores, k)]

    def similarity_search_by_vector(self, embedding: list[float], k: int = 4, **kwargs: Any) -> list[Document]:
        return [d for d, _ in self.similarity_search_with_score_by_vector(embedding, k)]

    def similarity_search_with_score(self, query: str, k: int = 4, **kwargs: Any) -> list[tuple[Document, float]]:
        return self.similarity_search_with_score_by_vector(self._embedding.embed_query(query), k)

    def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        return [d for d, _ in self.similarity_search_with_score(query, k)]

    def _select_relevance_score_fn(self):  # type: ignore[no-untyped-def]
        return lambda score: (score + 1.0) / 2.0

    @classmethod
    def from_texts(
        cls, texts: list[str], embedding: Embeddings, metadatas: list[dict] | None = None, **kwargs: Any
    ) -> NumpyVectorStore:
        store = cls(embedding)
        store.add_texts(texts, metadatas, ids=kwargs.get("ids"))
        return store

    # --- persistence ---------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write ``vectors.npy`` and ``documents.jsonl`` into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "vectors.npy", self.matrix)
        with (folder / "documents.jsonl").open("w", encoding="utf-8") as out:
            for doc_id, doc in zip(self.ids, self.docs):
                out.write(json.dumps({"id": doc_id, "text": doc.page_content, "metadata": doc.metadata},
                                     ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, folder: Path, embedding: Embeddings) -> NumpyVectorStore:
        store = cls(embedding)
        store.matrix = np.load(folder / "vectors.npy")
        with (folder / "documents.jsonl").open(encoding="utf-8") as src:
            for line in src:
                row = json.loads(line)
                store._row[row["id"]] = len(store.ids)
                store.ids.append(row["id"])
                store.docs.append(Document(id=row["id"], page_content=row["text"], metadata=row["metadata"]))
        if store.matrix.shape[0] != len(store.ids):
            raise ValueError(f"{folder}: {store.matrix.shape[0]} vectors for {len(store.ids)} documents")
        return store
