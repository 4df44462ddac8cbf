"""Official documents are recognised by their header: kind, number, issuer, date, title,
signer and recipients, in TXT, DOCX and PDF; articles about them are not."""

import json
from pathlib import Path

import pytest

from index.official import parse
from index.readers import read_paths
from tests.index.official_samples import SAMPLES, WRITERS, Sample

SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_header_fields(tmp_path: Path, sample: Sample, fmt: str) -> None:
    result = read_paths([WRITERS[fmt](sample, tmp_path)])
    assert result.problems == []
    (article,) = result.articles
    official = article.official
    assert official is not None
    got = (official.kind, official.number, official.issuer, official.date, official.place)
    assert got == (sample.kind, sample.number, sample.issuer, sample.date, sample.place)
    assert official.title == sample.title
    assert official.signer == sample.signer
    assert official.recipients == sample.recipients
    # The article is the document: named by its header, dated by it, its issuer the source.
    assert article.title == official.heading
    assert (article.source, article.published_at) == (sample.issuer, sample.date)


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_body_is_between_header_and_closing(tmp_path: Path, sample: Sample, fmt: str) -> None:
    (article,) = read_paths([WRITERS[fmt](sample, tmp_path)]).articles
    first_body_row = sample.rows[sample.header_rows][0]
    if first_body_row.strip("-") == "":
        first_body_row = sample.rows[sample.header_rows + 1][0]
    assert article.text.startswith(first_body_row[:40])
    for closing in ("Nơi nhận", "T/M", "(Đã ký)", "CỘNG HÒA XÃ HỘI", "ĐẢNG CỘNG SẢN"):
        assert closing not in article.text
    assert sample.signer.rsplit(", ", 1)[-1] not in article.text  # the signer's name


def test_names() -> None:
    chi_thi, law = SAMPLES[0], SAMPLES[3]
    assert parse([c for row in chi_thi.rows for c in row]).official.name == "Chỉ thị số 05-CT/TW"
    official = parse(["        ".join(row) for row in law.rows]).official
    assert official.name == official.heading == "Luật Phòng, chống ma túy"


def test_articles_are_not_official_documents() -> None:
    """News about directives, the client's articles among them, is never taken for one."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*"))]
    for name in ("news_2026_corpus.jsonl", "uit_regulation_corpus.jsonl"):
        with (SHARED / "eval" / name).open(encoding="utf-8") as lines:
            texts += [json.loads(line)["text"] for line in lines]
    assert len(texts) > 500
    assert [t[:80] for t in texts if parse(t.split("\n")) is not None] == []
