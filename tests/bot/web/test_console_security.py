"""The console refuses everyone without a session, every form without the session's CSRF
token, and never shows or logs a secret."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

import httpx
import pytest

from bot.web.auth import SignInGuard, check_password, hash_password
from index.embedders import Embedder
from tests.bot.web.conftest import (
    PASSWORD,
    SECRET_KEY,
    TOKEN,
    Console,
    csrf_of,
    running_console,
    signed_in,
)

PAGES = ["/", "/cau-hoi", "/cau-hoi.csv", "/tai-lieu", "/van-ban", "/danh-gia", "/thu-hoi"]
PAGES += ["/thanh-vien", "/thanh-vien/on-tap.csv"]
FORMS = [
    "/thu-hoi",
    "/cau-hoi/1/danh-gia",
    "/dang-xuat",
    "/tai-lieu/lien-ket",
    "/tai-lieu/xoa",
    "/tai-lieu/lap-lai",
    "/tai-lieu/tai-len",
    "/danh-gia/chay",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_stranger_to_the_sign_in_page(console: Console, path: str) -> None:
    response = httpx.get(console.url + path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/dang-nhap?tiep=")
    followed = httpx.get(console.url + path, follow_redirects=True)
    assert "Đăng nhập" in followed.text and "câu hỏi" not in followed.text.lower()


@pytest.mark.parametrize("path", FORMS)
def test_every_form_is_refused_without_a_session(console: Console, path: str) -> None:
    with httpx.Client(base_url=console.url) as client:
        token = csrf_of(client.get("/dang-nhap").text)  # a token, but no sign-in
        response = client.post(path, data={"csrf": token, "cau_hoi": "ct05 cua bct ve gi"})
    assert response.status_code == 403
    assert "Bạn cần đăng nhập trước." in response.text


def test_a_wrong_password_is_refused_and_a_right_one_or_the_token_signs_in(
    console: Console,
) -> None:
    with httpx.Client(base_url=console.url) as client:
        token = csrf_of(client.get("/dang-nhap").text)
        wrong = client.post("/dang-nhap", data={"csrf": token, "mat_khau": PASSWORD + "x"})
        assert wrong.status_code == 401 and "Sai mật khẩu." in wrong.text
        assert client.get("/", follow_redirects=False).status_code == 303
    for secret in (PASSWORD, TOKEN):
        with signed_in(console, secret) as admin:
            assert admin.get("/").status_code == 200


def test_a_form_without_the_csrf_token_is_refused(console: Console) -> None:
    with signed_in(console) as admin:
        for data in ({}, {"csrf": "gia-mao"}):
            response = admin.post("/thu-hoi", data={**data, "cau_hoi": "ct05 cua bct ve gi"})
            assert response.status_code == 403
            assert "Biểu mẫu đã hết hạn" in response.text
        # the sign-in form too: a page of another site cannot sign anyone in
        with httpx.Client(base_url=console.url) as stranger:
            refused = stranger.post("/dang-nhap", data={"mat_khau": PASSWORD})
        assert refused.status_code == 403 and "hết hạn" in refused.text


def test_signing_out_ends_the_session(console: Console) -> None:
    with signed_in(console) as admin:
        token = csrf_of(admin.get("/").text)
        assert admin.post("/dang-xuat", data={"csrf": token}).status_code == 303
        assert admin.get("/", follow_redirects=False).status_code == 303


def test_sign_in_goes_back_only_to_a_page_of_this_site(console: Console) -> None:
    for target, landing in (
        ("/cau-hoi", "/cau-hoi"),
        ("//evil.example/", "/"),
        ("https://x", "/"),
    ):
        with httpx.Client(base_url=console.url) as client:
            token = csrf_of(client.get("/dang-nhap").text)
            response = client.post(
                "/dang-nhap", data={"csrf": token, "mat_khau": PASSWORD, "tiep": target}
            )
        assert response.headers["location"] == landing


def test_repeated_wrong_passwords_lock_the_address_out(
    seed_data_dir: Path, tmp_path: Path, embedder: Embedder
) -> None:
    with (
        contextlib.ExitStack() as stack,
        running_console(seed_data_dir, tmp_path, embedder, SignInGuard(failures=3)) as c,
    ):
        client = stack.enter_context(httpx.Client(base_url=c.url))
        token = csrf_of(client.get("/dang-nhap").text)
        for _ in range(3):
            assert (
                client.post("/dang-nhap", data={"csrf": token, "mat_khau": "sai"}).status_code
                == 401
            )
        locked = client.post("/dang-nhap", data={"csrf": token, "mat_khau": PASSWORD})
        assert locked.status_code == 429 and "quá nhiều lần" in locked.text
        assert client.get("/", follow_redirects=False).status_code == 303


def test_no_secret_in_pages_headers_or_logs(
    console: Console, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with signed_in(console) as admin:
        pages = [admin.get(path) for path in PAGES]
        with httpx.Client(base_url=console.url) as bad:
            bad.post(
                "/dang-nhap",
                data={"csrf": csrf_of(bad.get("/dang-nhap").text), "mat_khau": TOKEN[:-1]},
            )
    seen = "\n".join(
        [p.text for p in pages]
        + [str(p.headers) for p in pages]
        + [r.getMessage() for r in caplog.records]
    )
    for secret in (PASSWORD, TOKEN, TOKEN[:-1], SECRET_KEY):
        assert secret not in seen
    assert all(p.status_code == 200 for p in pages)
    assert pages[0].headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in pages[0].headers["content-security-policy"]


def test_the_session_cookie_is_http_only_strict_and_secure_off_loopback(
    console: Console,
) -> None:
    cookie = httpx.get(console.url + "/dang-nhap").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie  # 127.0.0.1: the console's own machine, over HTTP

    from starlette.testclient import TestClient

    from bot.web.app import ConsoleConfig, create_app

    app = create_app(console.service, ConsoleConfig(SECRET_KEY, token=TOKEN, secure_cookie=True))
    with TestClient(app, base_url="https://console.example") as remote:
        assert "secure" in remote.get("/dang-nhap").headers["set-cookie"].lower()


def test_password_hashes_check_only_their_password() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert check_password(PASSWORD, stored)
    assert not check_password(PASSWORD + " ", stored)
    assert not check_password(PASSWORD, "scrypt$1$1$1$xx$yy")  # malformed: nobody signs in
    assert hash_password(PASSWORD) != stored  # salted


ARTICLE = (
    "Chi bộ thôn Tả Phìn học tập Nghị quyết\n\nNgày 5/4/2025, Chi bộ thôn Tả Phìn tổ chức học "
    "tập, quán triệt nghị quyết của cấp trên cho toàn thể đảng viên trong chi bộ.\n"
)


def test_an_upload_needs_a_session_and_the_csrf_token(console: Console) -> None:
    files = {"tep": ("bai.txt", ARTICLE.encode(), "text/plain")}
    stranger = httpx.post(console.url + "/tai-lieu/tai-len", files=files)
    assert stranger.status_code == 403
    with signed_in(console) as admin:
        forged = admin.post("/tai-lieu/tai-len", files=files, data={"csrf": "gia-mao"})
    assert forged.status_code == 403
    assert not (console.service.corpus.corpus_dir / "bai.txt").exists()


def test_an_upload_name_cannot_leave_the_corpus_directory(console: Console) -> None:
    corpus_dir = console.service.corpus.corpus_dir
    with signed_in(console) as admin:
        token = csrf_of(admin.get("/tai-lieu").text)
        for name in ("../../thoat-ra.txt", "..\\..\\thoat-ra-2.txt"):
            files = {"tep": (name, ARTICLE.replace("Tả Phìn", name[-12:]).encode(), "text/plain")}
            response = admin.post("/tai-lieu/tai-len", files=files, data={"csrf": token})
            assert response.status_code == 200, response.text
    assert (corpus_dir / "thoat-ra.txt").is_file() and (corpus_dir / "thoat-ra-2.txt").is_file()
    assert not (corpus_dir.parent.parent / "thoat-ra.txt").exists()
    assert not any(p.name.startswith("thoat-ra") for p in corpus_dir.parent.iterdir())


def test_an_upload_over_the_limit_is_refused_before_it_is_read(console: Console) -> None:
    from bot.web.app import UPLOAD_BYTES

    with signed_in(console) as admin:
        token = csrf_of(admin.get("/tai-lieu").text)
        files = {"tep": ("lon.txt", b"a" * (UPLOAD_BYTES + 100_000), "text/plain")}
        response = admin.post("/tai-lieu/tai-len", files=files, data={"csrf": token})
    assert response.status_code == 413 and "Tệp quá lớn: tối đa 20 MB." in response.text
    assert not (console.service.corpus.corpus_dir / "lon.txt").exists()


def test_only_the_listed_question_sets_and_reports_can_be_reached(console: Console) -> None:
    with signed_in(console) as admin:
        token = csrf_of(admin.get("/danh-gia").text)
        for name in ("../../../etc/passwd", "passwd", "indomain_qa.jsonl/../x"):
            response = admin.post("/danh-gia/chay", data={"csrf": token, "bo_cau_hoi": name})
            assert response.status_code == 400 and "Không có bộ câu hỏi này." in response.text
        for name in ("..", "..%2F..%2Fetc", "%2E%2E", "x%00y"):
            response = admin.get(f"/danh-gia/{name}/bao-cao")
            assert response.status_code == 404, name
            assert "root:" not in response.text
