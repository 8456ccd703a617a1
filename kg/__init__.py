"""kgqa's knowledge-graph layer: articles to a sentence-level RDF graph, and safe SPARQL over it.

Public API (everything else is private and may change)::

    from kg import KnowledgeGraph, Settings
    with KnowledgeGraph(Settings()) as graph:
        graph.ingest(["data/articles"])
        graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a nif:Sentence }")
"""

from .errors import (
    BinaryInput,
    ConfigError,
    EmptyInput,
    ForbiddenQuery,
    InputError,
    InputTooLarge,
    KgqaError,
    MalformedRecord,
    NotFound,
    QueryError,
    QuerySyntaxError,
    QueryTimeout,
    ResponseTooLarge,
    StoreError,
    UnsupportedFormat,
)
from .evaluation import FactScores, evaluate_facts
from .extraction import AliasTable, Extraction, Extractor
from .graph import EXPORT_FORMATS, ArticleInfo, KnowledgeGraph, Mention, StoredSentence
from .ingest import IngestReport
from .loading import load_file
from .model import Article, Segment, Sentence
from .rdf import ArticleGraph, build_article_graph
from .results import QueryResult
from .settings import SETTINGS, Setting, Settings
from .store import EmbeddedStore, GraphStore, RemoteStore, open_store
from .vocab import PREFIXES, Iris, sparql_literal

__version__ = "0.1.0"

__all__ = [
    "KnowledgeGraph", "ArticleInfo", "StoredSentence", "Mention", "IngestReport", "EXPORT_FORMATS",
    "Settings", "Setting", "SETTINGS",
    "Article", "Segment", "Sentence", "ArticleGraph", "build_article_graph", "load_file",
    "Extractor", "Extraction", "AliasTable", "evaluate_facts", "FactScores",
    "QueryResult", "GraphStore", "EmbeddedStore", "RemoteStore", "open_store",
    "PREFIXES", "Iris", "sparql_literal",
    "KgqaError", "ConfigError", "InputError", "EmptyInput", "BinaryInput", "InputTooLarge",
    "UnsupportedFormat", "MalformedRecord", "QueryError", "QuerySyntaxError", "ForbiddenQuery",
    "QueryTimeout", "ResponseTooLarge", "NotFound", "StoreError",
]
