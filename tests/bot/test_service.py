"""ChatService on the real index: answers, follow-ups, limits, feedback, paging, admin work."""

from __future__ import annotations

from pathlib import Path

from bot.service import ChatService
from index.readers import read_paths
from retrieval.searcher import Hit, Query

LAO_CAI = "000_779c702780cfd434"
BAC_GIANG = "001_43e842d4fa4ad4ee"
HA_LONG = "004_e8034be9464bfe94"
QUESTION = "Quy định số 03 của Thành ủy Lào Cai ban hành ngày nào?"


async def test_a_question_is_answered_cited_and_stored(service: ChatService) -> None:
    reply = await service.ask("telegram", "1", "1", QUESTION, message="1:1")

    assert reply is not None and reply.status == "answered"
    assert "10/9/2018" in reply.text and "[1]" in reply.text
    assert reply.answer.citations[0].doc_id == LAO_CAI
    record = service.store.get(reply.question_id)
    assert record.status == "answered" and record.citations == reply.answer.citations


async def test_the_same_message_is_never_answered_twice(service: ChatService) -> None:
    assert await service.ask("telegram", "1", "1", QUESTION, message="1:7") is not None
    assert await service.ask("telegram", "1", "1", QUESTION, message="1:7") is None


async def test_a_follow_up_is_read_with_the_previous_question(service: ChatService) -> None:
    await service.ask(
        "telegram", "9", "9", "Thành ủy Lào Cai ban hành Quy định số 03 về nội dung gì?"
    )

    reply = await service.ask("telegram", "9", "9", "quy định đó ban hành khi nào?")

    assert "10/9/2018" in reply.text
    assert [c.doc_id for c in reply.answer.citations] == [LAO_CAI]


async def test_con_o_x_thi_sao_swaps_the_place(service: ChatService) -> None:
    alone = await service.ask("telegram", "5", "5", "còn ở Bắc Giang thì sao?")
    assert alone.status == "abstained"  # no context yet: nothing to go on
    await service.ask(
        "telegram", "6", "6", "Lào Cai đã làm gì để nâng cao năng lực lãnh đạo của tổ chức đảng?"
    )

    reply = await service.ask("telegram", "6", "6", "còn ở Bắc Giang thì sao?")

    assert BAC_GIANG in {c.doc_id for c in reply.answer.citations}


async def test_other_chats_do_not_share_context(service: ChatService) -> None:
    await service.ask(
        "telegram", "1", "1", "Thành ủy Lào Cai ban hành Quy định số 03 về nội dung gì?"
    )

    reply = await service.ask("telegram", "2", "2", "quy định đó ban hành khi nào?")

    assert "10/9/2018" not in reply.text


async def test_empty_and_over_long_questions_get_a_clear_reply(service: ChatService) -> None:
    empty = await service.ask("telegram", "1", "1", "   ")
    long = await service.ask("telegram", "1", "1", "chỉ thị " * 1249 + "chỉ thị?")

    assert empty.status == "rejected" and "chưa nhập câu hỏi" in empty.text
    assert long.status == "rejected" and "10.000 ký tự" in long.text and "1.000" in long.text


async def test_a_user_over_the_rate_limit_is_asked_to_wait(
    seed_data_dir: Path, tmp_path: Path, embedder
) -> None:
    from tests.bot.conftest import make_service

    now = [0.0]
    svc = make_service(
        seed_data_dir,
        tmp_path,
        embedder,
        tmp_path / "db.sqlite",
        per_minute=6,
        burst=2,
        clock=lambda: now[0],
    )
    statuses = [(await svc.ask("telegram", "1", "7", QUESTION)).status for _ in range(3)]
    other = await svc.ask("telegram", "2", "8", QUESTION)
    waiting = await svc.ask("telegram", "1", "7", QUESTION)
    now[0] += 10.0
    later = await svc.ask("telegram", "1", "7", QUESTION)

    assert statuses == ["answered", "answered", "rate_limited"]
    assert "vui lòng chờ khoảng 10 giây" in waiting.text.lower()
    assert other.status == "answered" and later.status == "answered"


async def test_feedback_more_results_and_find(service: ChatService) -> None:
    reply = await service.ask("telegram", "1", "1", QUESTION)

    assert service.feedback(reply.question_id, "1", -1, "source")
    first = await service.results.more(reply.question_id, 1)
    second = await service.results.more(reply.question_id, 2)
    found = await service.results.find("Hạ Long")

    quotes = reply.answer.citations[0].quotes
    assert len(first.passages) == 3 and first.has_more
    assert not any(q in p.text for q in quotes for p in first.passages)
    assert {p.text for p in first.passages}.isdisjoint(p.text for p in second.passages)
    assert found[0].title == "TP Hạ Long tăng cường công tác xây dựng Đảng"
    assert await service.results.more(99999, 1) is None
    assert service.store.today_and_week()[0].reasons == {"source": 1}


async def test_admin_add_remove_and_reindex(admin_service: ChatService, tmp_path: Path) -> None:
    upload = tmp_path / "upload" / "chi-thi-99.txt"
    upload.parent.mkdir()
    upload.write_text(
        "Chỉ thị 99 về chuyển đổi số <trong> Đảng & đoàn thể\n\n"
        "Ngày 2/3/2024, Ban Bí thư ban hành Chỉ thị số 99-CT/TW về đẩy mạnh chuyển đổi số "
        "trong công tác xây dựng Đảng, yêu cầu mọi chi bộ dùng sổ tay đảng viên điện tử.\n",
        encoding="utf-8",
    )
    bad = tmp_path / "upload" / "rong.txt"
    bad.write_bytes(b"")

    added = await admin_service.corpus.add_file(upload)
    refused = await admin_service.corpus.add_file(bad)
    wrong_kind = await admin_service.corpus.add_file(tmp_path / "upload" / "anh.png")
    answer = await admin_service.ask("telegram", "1", "1", "Chỉ thị 99-CT/TW ban hành ngày nào?")

    assert added.ok and "thêm: Chỉ thị 99 về chuyển đổi số <trong> Đảng & đoàn thể" in added.text
    assert "đoạn (mã chi-thi-99)" in added.text
    assert (admin_service.corpus.corpus_dir / "chi-thi-99.txt").exists()
    assert not refused.ok and "rong.txt" in refused.text and "Lý do" in refused.text
    assert not wrong_kind.ok and ".docx" in wrong_kind.text
    assert "2/3/2024" in answer.text

    removed = await admin_service.corpus.remove("chi-thi-99")
    missing = await admin_service.corpus.remove("khong-co")
    assert removed.ok and not (admin_service.corpus.corpus_dir / "chi-thi-99.txt").exists()
    assert not missing.ok and "/nguon" in missing.text
    assert admin_service.results.info().articles == 5

    (admin_service.corpus.corpus_dir / "extra.txt").write_text(upload.read_text(encoding="utf-8"))
    rebuilt = await admin_service.corpus.reindex()
    assert rebuilt.ok and "6 bài" in rebuilt.text
    corpus = read_paths([admin_service.corpus.corpus_dir])
    assert len(corpus.articles) == admin_service.results.info().articles


class WithoutArticle:
    """A reranker that drops one article's passages: a stand-in for any last stage."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id, self.calls = doc_id, 0

    def rerank(self, query: Query, hits: list[Hit]) -> list[Hit]:
        self.calls += 1
        return [h for h in hits if h.chunk.doc_id != self.doc_id]


async def test_a_reranker_reaches_answers_further_results_and_find(
    service: ChatService,
) -> None:
    question = "TP Hạ Long đổi mới ban hành nghị quyết, chỉ thị như thế nào?"
    before = await service.ask("telegram", "3", "3", question)
    reranker = WithoutArticle(HA_LONG)
    service.answerer.searcher.reranker = reranker

    reply = await service.ask("telegram", "4", "4", question)
    page = await service.results.more(reply.question_id, 1)
    found = await service.results.find("Hạ Long chỉ thị")

    assert HA_LONG in {c.doc_id for c in before.answer.citations}
    assert reranker.calls == 3
    assert HA_LONG not in {c.doc_id for c in reply.answer.citations}
    assert page is not None and HA_LONG not in {p.doc_id for p in page.passages}
    assert found and HA_LONG not in {a.doc_id for a in found}
