"""Questions arriving together are embedded together, each getting its own vector."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import numpy as np
import pytest

from index.embedders import Embedder, Kind
from retrieval.answering import Answerer
from retrieval.batching import QueryBatcher
from retrieval.searcher import Searcher

QUESTIONS = [f"Chỉ thị {n:02d} của Bộ Chính trị nói về gì?" for n in range(1, 12)]


class HeldFirstCall(Embedder):
    """The real embedder, except that its first call waits until the test lets it go."""

    def __init__(self, inner: Embedder, fail: bool = False) -> None:
        self.inner = inner
        self.id = inner.id
        self.dim = inner.dim
        self.fail = fail
        self.entered = threading.Event()
        self.release = threading.Event()
        self.sizes: list[int] = []

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if not self.sizes:
            self.entered.set()
            self.release.wait(timeout=30)
        self.sizes.append(len(texts))
        if self.fail:
            raise RuntimeError("engine failure")
        return self.inner.embed_batch(texts, kind)


class WatchedQueue(list):
    """The batcher's queue, telling the test each time a question joins it."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = threading.Condition()

    def append(self, item) -> None:
        super().append(item)
        with self.changed:
            self.changed.notify_all()


def ask_together(batcher: QueryBatcher, held: HeldFirstCall) -> dict[str, object]:
    """The first question starts a batch that is held until all the others have queued."""
    queue = batcher._queue = WatchedQueue()
    results: dict[str, object] = {}

    def ask(text: str) -> None:
        try:
            results[text] = batcher.embed(text)
        except RuntimeError as exc:
            results[text] = exc

    threads = [threading.Thread(target=ask, args=(QUESTIONS[0],))]
    threads[0].start()
    assert held.entered.wait(timeout=30)
    threads += [threading.Thread(target=ask, args=(q,)) for q in QUESTIONS[1:]]
    for thread in threads[1:]:
        thread.start()
    with queue.changed:
        assert queue.changed.wait_for(lambda: len(queue) == len(QUESTIONS) - 1, timeout=30)
    held.release.set()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize(("max_batch", "sizes"), [(32, [1, 10]), (4, [1, 4, 4, 2])])
def test_questions_that_queue_meanwhile_share_the_next_batches(
    embedder: Embedder, max_batch: int, sizes: list[int]
) -> None:
    held = HeldFirstCall(embedder)
    batcher = QueryBatcher(held, max_batch=max_batch)

    results = ask_together(batcher, held)

    assert held.sizes == sizes
    for text in QUESTIONS:  # each thread got the vector of its own question
        alone = embedder.embed_query(text)
        assert float(np.dot(results[text], alone)) > 0.999


def test_a_failing_embedder_fails_every_waiting_question_and_the_batcher_recovers(
    embedder: Embedder,
) -> None:
    held = HeldFirstCall(embedder, fail=True)
    batcher = QueryBatcher(held)

    results = ask_together(batcher, held)

    assert all(isinstance(r, RuntimeError) for r in results.values())
    held.fail = False
    assert float(np.dot(batcher.embed(QUESTIONS[0]), embedder.embed_query(QUESTIONS[0]))) > 0.999


async def test_questions_answered_together_each_get_their_own_answer(
    seed_data_dir, embedder: Embedder
) -> None:
    questions = [
        "Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?",
        "Hà Nội thực hiện bao nhiêu đề án trong Chương trình 01?",
        "TP Hạ Long đổi mới ban hành nghị quyết, chỉ thị như thế nào?",
        "Bắc Giang nâng cao chất lượng sinh hoạt chi bộ ra sao?",
        "Cần Thơ khắc phục hạn chế, khuyết điểm sau kiểm điểm thế nào?",
    ]
    alone = Answerer(Searcher(seed_data_dir, embedder))
    expected = [alone.answer(q).text for q in questions]
    held = HeldFirstCall(embedder)
    together = Answerer(Searcher(seed_data_dir, held))
    queue = together.searcher.queries._queue = WatchedQueue()

    first = asyncio.create_task(together.aanswer(questions[0]))
    assert await asyncio.to_thread(held.entered.wait, 30)
    rest = [asyncio.create_task(together.aanswer(q)) for q in questions[1:]]

    def all_queued() -> bool:
        with queue.changed:
            return queue.changed.wait_for(lambda: len(queue) == len(questions) - 1, timeout=30)

    assert await asyncio.to_thread(all_queued)
    held.release.set()
    answers = await asyncio.gather(first, *rest)

    assert held.sizes == [1, len(questions) - 1]
    assert [a.text for a in answers] == expected
