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


def test_a_new_version_of_a_document_replaces_it_and_an_older_one_is_refused(
    tmp_path: Path, embedder
) -> None:
    from dataclasses import replace

    from index.builder import IndexBuilder
    from index.layout import CHUNKS_DB
    from index.store import read_version_db
    from index.versions import current_version

    (first,) = read_paths([WRITERS["txt"](SAMPLES[1], tmp_path)]).articles  # Quy định 03
    newer_header = replace(first.official, date="2020-01-06")
    newer = replace(
        first,
        doc_id="quy-dinh-03-2020",
        official=newer_header,
        text=first.text.replace("ngày ký", "ngày 01/02/2020"),
    )
    older = replace(
        first,
        doc_id="quy-dinh-03-2015",
        official=replace(first.official, date="2015-03-01"),
        text=first.text.replace("ngày ký", "ngày 01/04/2015"),
    )
    builder = IndexBuilder(tmp_path / "data", embedder, progress=False)
    builder.build([first])

    report = builder.add([newer])
    assert report.replaced == [("quy-dinh-03-2020", "quy-dinh-03")]
    assert (report.added, report.removed) == (["quy-dinh-03-2020"], ["quy-dinh-03"])
    report = builder.add([older])
    assert not report.changed and "is older than the indexed quy-dinh-03-2020" in report.skipped[0]
    articles, _ = read_version_db(current_version(tmp_path / "data") / CHUNKS_DB)
    assert list(articles) == ["quy-dinh-03-2020"]
