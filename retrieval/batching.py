"""Question embeddings from many threads, computed together when they arrive together."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from index.embedders import Embedder

MAX_BATCH = 32


@dataclass(eq=False)
class _Request:
    text: str
    done: threading.Event = field(default_factory=threading.Event)
    vector: np.ndarray | None = None
    error: BaseException | None = None
    lead: bool = False  # woken to embed the next batch rather than with a result


class QueryBatcher:
    """Embeds questions one batch at a time; questions that arrive meanwhile form the next.

    Nothing waits for a batch to fill: a lone question is embedded at once, alone. Under
    load, the questions that queue while a batch is being embedded go together in the next
    call, which costs the embedder less per question than one call each. The thread whose
    question is first in the queue embeds the batch, so no extra thread is needed.
    """

    def __init__(self, embedder: Embedder, max_batch: int = MAX_BATCH) -> None:
        self.embedder = embedder
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Request] = []
        self._busy = False  # a thread is embedding a batch; it will wake the next leader
        self.batches = 0  # how many embedder calls were made, for benchmarks

    def embed(self, text: str) -> np.ndarray:
        """The (dim,) query vector of one question."""
        request = _Request(text)
        with self._lock:
            self._queue.append(request)
            lead = not self._busy
            self._busy = True
        if not lead:
            request.done.wait()
            if not request.lead:
                return self._result(request)
        self._run_batch()
        return self._result(request)

    def _run_batch(self) -> None:
        with self._lock:
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
        try:
            vectors = self.embedder.embed_batch([r.text for r in batch], "query")
        except BaseException as exc:  # every waiter must learn of it, not hang
            for request in batch:
                request.error = exc
        else:
            for request, vector in zip(batch, vectors, strict=True):
                request.vector = vector
        with self._lock:
            self.batches += 1
            if self._queue:
                self._queue[0].lead = True
                self._queue[0].done.set()
            else:
                self._busy = False
        for request in batch:
            request.done.set()

    @staticmethod
    def _result(request: _Request) -> np.ndarray:
        if request.error is not None:
            raise request.error
        assert request.vector is not None
        return request.vector
