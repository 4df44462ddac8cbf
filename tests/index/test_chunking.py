"""Sentence splitting and chunking, on small constructed texts and the real sample articles."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from index.chunking import chunk_article, split_paragraphs, split_sentences
from index.documents import Article, Chunk
from index.vietnamese import normalize

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SEEDS = sorted(CORPUS.glob("*.txt"))


def seed(name: str) -> Article:
    """A sample article read straight from the corpus, text normalised, paragraphs as-is."""
    path = CORPUS / name if name.endswith(".txt") else next(CORPUS.glob(f"{name}*.txt"))
    text = normalize(path.read_text(encoding="utf-8"))
    return Article(doc_id=path.stem, title=path.stem, text=text, path=str(path))


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def ten_words(n: int) -> str:
    """A sentence of exactly ten words, numbered so each one is unique."""
    return f"Câu {n} có đúng mười từ để kiểm tra chia."


def words(chunk: Chunk) -> int:
    return len(chunk.text.split())


@pytest.mark.parametrize(
    "text",
    [
        "Đã có hơn 22.500 lượt cán bộ, đảng viên đăng ký nêu gương.",
        "Giám sát 1.388 đảng viên (chiếm 25,3% toàn tỉnh).",
        "Thành ủy ban hành Quy định số 03 ngày 10/9/2018 về tiêu chuẩn chức danh.",
        "Hội nghị tổ chức tại TP. Hồ Chí Minh thành công tốt đẹp.",
        "Hội nghị tổ chức tại TP.HCM thành công tốt đẹp.",
        "Hội nghị tổ chức tại Tp. Hồ Chí Minh thành công tốt đẹp.",
        "Hội nghị tổ chức tại Tp.Hồ Chí Minh thành công tốt đẹp.",
        "Thực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị về học tập và làm theo Bác.",
        "Nghị quyết số 09-NQ/TU được ban hành năm 2012.",
        "Báo cáo của ThS. Nguyễn Văn An tại hội thảo.",
        "Ý kiến của TS. Lê Văn Bình được đánh giá cao.",
        "Theo PGS. Trần Văn Cường, cần đổi mới.",
        "Theo GS. Phạm Văn Dũng, cần đổi mới.",
        "Theo PGS.TS. Hoàng Văn Em, cần đổi mới.",
        "Trụ sở đặt tại Q. Hoàn Kiếm, P. Hàng Bạc, Hà Nội.",
        "Chi bộ, đảng bộ, đoàn thể, v.v. đều tham gia.",
        "Tổ chức các cuộc thi, hội thảo... phân công cán bộ tham dự.",
        "Tổ chức các cuộc thi, hội thảo chuyên đề… phân công cán bộ tham dự.",
        "Năng suất tăng 3.5 lần so với năm trước.",
        "1. Đổi mới phương thức lãnh đạo của Đảng",
        "2. Đổi mới công tác tổ chức, cán bộ.",
        "II. Nhiệm vụ trọng tâm trong thời gian tới.",
        "Kết quả gồm: 1. Tăng cường kiểm tra; 2. Nâng cao chất lượng sinh hoạt.",
        "Dần khắc phục “bệnh hình thức”.",
        "Trang tin baolaocai.vn đưa tin.",
    ],
)
def test_one_sentence(text: str) -> None:
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Xây dựng Đảng bộ trong sạch, vững mạnh.Xác định công tác chính trị là hàng đầu.",
            [
                "Xây dựng Đảng bộ trong sạch, vững mạnh.",
                "Xác định công tác chính trị là hàng đầu.",
            ],
        ),
        (
            "Về “một số vấn đề cấp bách hiện nay”. Công tác hậu kiểm tiếp tục.",
            ["Về “một số vấn đề cấp bách hiện nay”.", "Công tác hậu kiểm tiếp tục."],
        ),
        (
            "Bác dạy: “Phải nêu gương.” Cán bộ thực hiện nghiêm.",
            ["Bác dạy: “Phải nêu gương.”", "Cán bộ thực hiện nghiêm."],
        ),
        (
            "Thuộc TP. Hà Nội”. Đồng thời có Hướng dẫn 07.",
            ["Thuộc TP. Hà Nội”.", "Đồng thời có Hướng dẫn 07."],
        ),
        ("Đầu tiên cả nước! Kết quả rất tốt.", ["Đầu tiên cả nước!", "Kết quả rất tốt."]),
        ("Vì sao vậy? Vì đoàn kết.", ["Vì sao vậy?", "Vì đoàn kết."]),
        ("Chi bộ điểm... Các cấp ủy đã làm.", ["Chi bộ điểm...", "Các cấp ủy đã làm."]),
        ("Thành phố và cơ sở… Các cấp ủy đã làm.", ["Thành phố và cơ sở…", "Các cấp ủy đã làm."]),
        (
            "Phải cảnh giác. “Tự diễn biến” là nguy cơ.",
            ["Phải cảnh giác.", "“Tự diễn biến” là nguy cơ."],
        ),
        ("Tiếp xúc (năm 2019). (Ảnh: Tư liệu)", ["Tiếp xúc (năm 2019).", "(Ảnh: Tư liệu)"]),
        ("Đạt 100%. 5 năm qua đều vượt.", ["Đạt 100%.", "5 năm qua đều vượt."]),
        ("Ngày 10/9/2018. Thành ủy ban hành.", ["Ngày 10/9/2018.", "Thành ủy ban hành."]),
        ("Ban hành 05-CT/TW. Các cấp thực hiện.", ["Ban hành 05-CT/TW.", "Các cấp thực hiện."]),
        ("Chi bộ, đoàn thể, v.v. Các cấp ủy làm.", ["Chi bộ, đoàn thể, v.v.", "Các cấp ủy làm."]),
        (
            "Tiêu đề không dấu chấm\nĐoạn mới bắt đầu",
            ["Tiêu đề không dấu chấm", "Đoạn mới bắt đầu"],
        ),
        (
            "Đoạn một kết thúc\n\nđoạn hai viết thường",
            ["Đoạn một kết thúc", "đoạn hai viết thường"],
        ),
        ("Phát triển TP.HCM. Hà Nội cũng vậy.", ["Phát triển TP.HCM.", "Hà Nội cũng vậy."]),
    ],
)
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_sentence_spans_are_trimmed_and_skip_blank_lines() -> None:
    text = "  Câu một.   Câu hai.  \n \u00a0\n\n  Câu ba  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Câu một.", "Câu hai.", "Câu ba"]
    assert spans[0][0] == 2
    assert split_sentences("") == []
    assert split_sentences(" \n\n ") == []


def test_paragraphs_are_non_blank_lines() -> None:
    text = "Tiêu đề\n\nĐoạn một.\nĐoạn hai.\n \n\nĐoạn ba."
    assert [text[s:e] for s, e in split_paragraphs(text)] == [
        "Tiêu đề",
        "Đoạn một.",
        "Đoạn hai.",
        "Đoạn ba.",
    ]


def test_empty_article_gives_no_chunks() -> None:
    assert chunk_article(Article("empty", "Trống", "")) == []
    assert chunk_article(Article("blank", "Trống", "\n\n  \n")) == []


def test_tiny_article_is_one_chunk() -> None:
    text = "Chi bộ họp định kỳ.\n\nThực hiện Chỉ thị số 05-CT/TW của Bộ Chính trị."
    [chunk] = chunk_article(Article("tiny", "Nhỏ", text))
    assert chunk == Chunk("tiny", 0, text, 1, 0, len(text), ("05-CT/TW",))


def test_three_paragraphs_give_paragraph_numbers_and_overlap() -> None:
    paragraphs = [
        " ".join(ten_words(n) for n in range(1, 4)),
        " ".join(ten_words(n) for n in range(4, 9)),
        " ".join(ten_words(n) for n in range(9, 13)),
    ]
    text = "\n\n".join(paragraphs)
    chunks = chunk_article(Article("three", "Ba đoạn", text), target_words=40, max_words=60)

    def starts(n: int) -> int:
        return text.index(f"Câu {n} ")

    def ends(n: int) -> int:
        return starts(n) + len(ten_words(n))

    # 1–6 fill the first chunk to max_words; 6 is repeated; 7–11 fill the second; 11 repeated.
    assert [(c.start, c.end) for c in chunks] == [
        (0, ends(6)),
        (starts(6), ends(11)),
        (starts(11), len(text)),
    ]
    assert [c.paragraph for c in chunks] == [1, 2, 3]
    assert [c.ordinal for c in chunks] == [0, 1, 2]
    assert [words(c) for c in chunks] == [60, 60, 20]
    assert all(c.text == text[c.start : c.end] for c in chunks)
    assert "\n\n" in chunks[0].text


def test_chunk_closes_at_target_when_paragraph_ends() -> None:
    paragraphs = [
        " ".join(ten_words(n) for n in range(1, 5)),
        " ".join(ten_words(n) for n in range(5, 9)),
    ]
    text = "\n\n".join(paragraphs)
    chunks = chunk_article(Article("p", "P", text), target_words=40, max_words=100)
    assert [c.text for c in chunks] == [paragraphs[0], ten_words(4) + "\n\n" + paragraphs[1]]
    assert [c.paragraph for c in chunks] == [1, 1]


def test_without_overlap_chunks_tile_the_text() -> None:
    text = " ".join(ten_words(n) for n in range(1, 31))
    chunks = chunk_article(Article("t", "T", text), 40, 60, overlap_sentences=0)
    assert [words(c) for c in chunks] == [60] * 5
    assert " ".join(c.text for c in chunks) == text


def test_two_sentence_overlap() -> None:
    text = " ".join(ten_words(n) for n in range(1, 13))
    chunks = chunk_article(Article("t", "T", text), 40, 60, overlap_sentences=2)
    second = chunks[1].text
    assert second.startswith(ten_words(5) + " " + ten_words(6) + " " + ten_words(7))


def test_long_overlap_sentence_is_not_repeated() -> None:
    long_sentence = "Rồi " + " ".join(["từ"] * 38) + " cuối."
    next_sentence = "Hai " + " ".join(["chữ"] * 18) + " hết."
    text = " ".join([ten_words(1), long_sentence, next_sentence])
    chunks = chunk_article(Article("t", "T", text), 40, 60)
    # The 40-word last sentence is more than half the target, so chunk 2 starts fresh.
    assert [c.text for c in chunks] == [ten_words(1) + " " + long_sentence, next_sentence]


def test_short_tail_joins_previous_chunk() -> None:
    body = " ".join(ten_words(n) for n in range(1, 5))
    text = body + "\n\nNguyễn Thanh\n\nhttp://baoquangninh.com.vn/bai-viet"
    [chunk] = chunk_article(Article("t", "T", text), target_words=40, max_words=60)
    assert chunk.text == text


@pytest.mark.parametrize(
    ("comma_after", "expected_words"),
    [((140, 300), [2 + 140, 160, 150]), ((), [2 + 150, 150, 150])],
)
def test_overlong_sentence_is_cut_between_words(
    comma_after: tuple[int, ...], expected_words: list[int]
) -> None:
    tokens = [f"từ{i}" + ("," if i in comma_after else "") for i in range(1, 451)]
    text = "Mở đầu.\n\n" + " ".join(tokens) + "."
    chunks = chunk_article(Article("long", "Dài", text))
    # The 2-word first paragraph is packed with the first piece; pieces never overlap.
    assert [words(c) for c in chunks] == expected_words
    for c in chunks:
        assert c.start == 0 or text[c.start - 1].isspace()
        assert c.end == len(text) or text[c.end].isspace()
    if comma_after:
        assert chunks[0].text.endswith("từ140,")
        assert chunks[1].text.endswith("từ300,")
    assert " ".join(c.text for c in chunks).split() == text.split()
    assert [c.paragraph for c in chunks] == [1, 2, 2]


def test_invalid_sizes_are_rejected() -> None:
    with pytest.raises(ValueError, match="target_words"):
        chunk_article(Article("t", "T", "Câu."), target_words=300, max_words=200)
    with pytest.raises(ValueError, match="overlap_sentences"):
        chunk_article(Article("t", "T", "Câu."), overlap_sentences=-1)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_seed_chunks_are_exact_slices_of_bounded_size(path: Path) -> None:
    article = seed(path.name)
    chunks = chunk_article(article)
    assert chunks == chunk_article(article)  # deterministic
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert all(c.doc_id == article.doc_id for c in chunks)
    assert all(article.text[c.start : c.end] == c.text for c in chunks)
    assert all(75 <= words(c) <= 200 for c in chunks), [words(c) for c in chunks]
    # Each chunk brings something new, and overlaps its predecessor by at most a sentence.
    sentence_spans = split_sentences(article.text)
    starts = {s for s, _ in sentence_spans}
    ends = {e for _, e in sentence_spans}
    for before, after in itertools.pairwise(chunks):
        assert after.end > before.end
        assert after.start >= before.start
        assert after.start in starts and before.end in ends
        if after.start < before.end:
            assert (after.start, before.end) in sentence_spans
    # Every sentence of the article is in some chunk.
    for start, end in sentence_spans:
        assert any(c.start <= start and end <= c.end for c in chunks)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_seed_paragraph_numbers(path: Path) -> None:
    article = seed(path.name)
    lines = article.text.split("\n")
    for chunk in chunk_article(article):
        offset, paragraph = 0, 0
        for line in lines:
            paragraph += bool(line.strip())
            if offset <= chunk.start < offset + len(line) + 1:
                break
            offset += len(line) + 1
        assert chunk.paragraph == paragraph


@pytest.mark.parametrize(
    "protected", ["10/9/2018", "05-CT/TW", "22.500", "25,3%", "TP. Hà Nội", "21-KL/TW"]
)
@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_no_chunk_boundary_inside_codes_and_numbers(path: Path, protected: str) -> None:
    article = seed(path.name)
    chunks = chunk_article(article)
    start = article.text.find(protected)
    while start != -1:
        end = start + len(protected)
        for c in chunks:
            assert c.end <= start or c.start >= end or (c.start <= start and end <= c.end)
        assert any(protected in c.text for c in chunks)
        start = article.text.find(protected, end)


def test_lao_cai_rule_is_whole_in_one_chunk() -> None:
    chunks = chunk_article(seed("000_"))
    holding = [c for c in chunks if "Quy định số 03 ngày 10/9/2018" in c.text]
    assert holding
    assert all("03-QĐi" in c.refs for c in holding)


def test_ha_long_directive_is_in_refs() -> None:
    chunks = chunk_article(seed("004_"))
    [chunk] = [c for c in chunks if "Chỉ thị số 05-CT/TW" in c.text]
    assert "05-CT/TW" in chunk.refs
    assert {"NQTW4", "NQTW6-XII", "19-NQ/TU"} <= set(chunk.refs)
    assert list(chunk.refs) == sorted(set(chunk.refs))


@pytest.mark.parametrize("overlap", [0, 1, 2, 5])
def test_every_chunk_brings_new_text_whatever_the_overlap(overlap: int) -> None:
    article = seed("001_")
    chunks = chunk_article(article, target_words=60, max_words=90, overlap_sentences=overlap)
    assert all(words(c) <= 90 for c in chunks)
    for before, after in itertools.pairwise(chunks):
        assert after.end > before.end
        assert after.start >= before.start
        if overlap == 0:
            assert after.start > before.end
