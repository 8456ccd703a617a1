"""LangChain's ``langchain-milvus`` ``Milvus`` vector store over kgqa's passage collection.

For users' own chains when ``KGQA_VECTOR_URI`` is set::

    from retrieval import Library, milvus_vector_store
    with Library(settings) as library:
        store = milvus_vector_store(library)
        docs = store.similarity_search("Who is Iran's defence minister?", k=4)
        retriever = store.as_retriever(search_kwargs={"k": 4})

The documents are the ones kgqa's own retriever returns (id = the sentence IRI, the metadata that
cites it). The store only reads: kgqa writes the collection, so that graph and passages stay in step
(``Library.ingest`` / ``Library.delete``); its ``add_texts`` and ``delete`` refuse.
"""

from __future__ import annotations

from typing import Any

from langchain_core.documents import Document

from kg import ConfigError

from ._milvus_store import PASSAGES, document_of

__all__ = ["milvus_vector_store"]


def milvus_vector_store(library: Any) -> Any:
    """A ``langchain_milvus.Milvus`` reading ``library``'s passage collection (``KGQA_VECTOR_URI`` must be set)."""
    uri = library.settings.vector_uri
    if not uri:
        raise ConfigError("milvus_vector_store needs KGQA_VECTOR_URI (the passages are in the embedded index)")
    try:
        from langchain_milvus import Milvus
    except ImportError:
        raise ConfigError("milvus_vector_store needs the `scale` extra (langchain-milvus): "
                          "pip install 'kgqa[scale]'") from None

    class KgqaMilvus(Milvus):  # type: ignore[misc,valid-type]
        """``Milvus`` whose documents are kgqa's passages, read-only."""

        def _parse_document(self, data: dict) -> Document:
            return document_of(data)

        def add_texts(self, *args: Any, **kwargs: Any) -> list[str]:
            raise NotImplementedError("kgqa writes this collection: add articles with Library.ingest (kgqa ingest)")

        def delete(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError("kgqa writes this collection: delete articles with Library.delete (kgqa delete)")

    return KgqaMilvus(embedding_function=library.embeddings, collection_name=PASSAGES,
                      connection_args={"uri": uri}, primary_field="pk", text_field="text", vector_field="vector",
                      search_params={"metric_type": "IP"}, consistency_level="Strong")
