"""Admins add an article by its link, on Zalo (which has no file messages) and Telegram,
and from the command line; members cannot, and get the bot's usual /them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.service import ChatService
from bot.telegram.launch import TelegramBot
from bot.zalo.launch import ZaloBot
from tests.bot import fake_zalo
from tests.bot.conftest import ADMIN, MEMBER
from tests.bot.fake_telegram import FakeTelegram
from tests.bot.fake_zalo import FakeZalo
from tests.web_site import FakeSite

ARTICLE = "/bai-viet/so-tay-dang-vien.html"
ASKED = "Đảng bộ huyện Bát Xát đã cài sổ tay đảng viên điện tử cho bao nhiêu đảng viên?"


@pytest.fixture(scope="module")
def site() -> Iterator[FakeSite]:
    with FakeSite() as running:
        yield running


async def test_a_zalo_admin_adds_an_article_by_link_and_members_find_it(
    zalo: FakeZalo, zalo_admin_bot: ZaloBot, admin_service: ChatService, site: FakeSite
) -> None:
    refused = await zalo.ask(fake_zalo.MEMBER, f"/them {site.url(ARTICLE)}")
    working = await zalo.ask(fake_zalo.ADMIN, f"/them {site.url(ARTICLE)}")
    done = await zalo.next_message(fake_zalo.ADMIN, timeout=60)
    await zalo.ask(fake_zalo.ADMIN, f"/them {site.url('/khong-co')}", timeout=60)
    broken = await zalo.next_message(fake_zalo.ADMIN, timeout=60)
    answer = await zalo.ask(fake_zalo.MEMBER + "2", ASKED)

    assert "chỉ dành cho quản trị viên" in refused.text
    assert working.text == "Đang tải bài từ liên kết…"
    assert done.text.startswith(
        "Đã thêm bài “Đảng bộ huyện Bát Xát đưa sổ tay đảng viên điện tử vào sinh hoạt chi bộ”"
    )
    assert "(mã 127-0-0-1-bai-viet-so-tay-dang-vien)" in done.text
    assert (
        "Không thêm được bài từ" in broken.text
        or "Không thêm được bài từ" in (await zalo.next_message(fake_zalo.ADMIN, timeout=60)).text
    )
    assert "4.215" in answer.text and site.url(ARTICLE) in answer.text
    kept = (
        admin_service.corpus.corpus_dir
        / "tu-lien-ket"
        / "127-0-0-1-bai-viet-so-tay-dang-vien.jsonl"
    )
    assert json.loads(kept.read_text(encoding="utf-8"))["url"] == site.url(ARTICLE)
    removed = await zalo.ask(fake_zalo.ADMIN, "/xoa 127-0-0-1-bai-viet-so-tay-dang-vien")
    assert "Đã xoá bài" in removed.text and not kept.exists()  # a re-index will not bring it back


async def test_a_telegram_admin_adds_by_link_and_a_bad_link_is_explained(
    fake: FakeTelegram, admin_bot: TelegramBot, site: FakeSite
) -> None:
    await fake.push(fake.update(fake.message(ADMIN, f"/them {site.url('/trang-chu')}")))
    await fake.next_message(ADMIN)
    home = await fake.next_message(ADMIN, timeout=60)
    await fake.push(fake.update(fake.message(ADMIN, f"/themlienket {site.url(ARTICLE)}")))
    await fake.next_message(ADMIN)
    added = await fake.next_message(ADMIN, timeout=60)
    member = await fake.ask(MEMBER, "/them")  # a member's /them: further passages, as before

    assert "Lý do: trang này không có nội dung bài viết" in home.visible
    assert "Đã thêm bài" in added.visible
    assert "Đã thêm bài" not in member.visible


def test_index_add_fetches_a_link_and_a_rebuild_keeps_it(
    site: FakeSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    corpus = tmp_path / "corpus"
    monkeypatch.setenv("HOIDAP_CORPUS_DIR", str(corpus))
    data = str(tmp_path / "data")
    links = [site.url(ARTICLE), site.url("/van-ban/chi-thi-05.pdf"), site.url("/vong")]
    assert main(["index", "add", "--data-dir", data, *links]) == 0
    out, err = capsys.readouterr()
    assert f"fetched {site.url(ARTICLE)} → {corpus / 'tu-lien-ket'}" in out
    assert "more than 5 redirects" in err  # the third is skipped, the others indexed
    assert main(["index", "build", "--data-dir", data]) == 0  # from the corpus dir alone
    capsys.readouterr()
    assert main(["ask", "--json", "--data-dir", data, ASKED]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "4.215" in answer["answer"] and answer["citations"][0]["url"] == site.url(ARTICLE)
    assert main(["index", "status", "--data-dir", data]) == 0
    assert "Chỉ thị số 05-CT/TW — 2016-05-15" in capsys.readouterr().out
