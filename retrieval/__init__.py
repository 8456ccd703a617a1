"""kgqa's answering layer: passage index, hybrid retriever, answers with cited sentences, evaluation.

It reads the graph only through ``kg``'s public API. Public API::

    from kg import Settings
    from retrieval import Library, Answerer
    with Library(Settings()) as library:
        library.ingest(["data/articles"])
        print(Answerer(library).ask("Who is Iran's defense minister?").to_json())
"""

from ._milvus_langchain import milvus_vector_store
from .answer import Answerer
from .contract import NO_ANSWER, Answer, Citation, FactRef
from .embedding import SentenceEmbeddings
from .evaluation import QAScores, evaluate_qa, load_qa
from .followup import Turn, resolve_followup
from .index import IndexMismatch, PassageIndex
from .library import Library
from .question import Question, analyze
from .retriever import HybridRetriever
from .scoring import Weights
from .vectors import NumpyVectorStore

__all__ = [
    "Library", "Answerer", "Answer", "Citation", "FactRef", "NO_ANSWER",
    "HybridRetriever", "Weights", "PassageIndex", "IndexMismatch", "NumpyVectorStore", "SentenceEmbeddings",
    "Question", "analyze", "evaluate_qa", "load_qa", "QAScores", "Turn", "resolve_followup",
    "milvus_vector_store",
]
