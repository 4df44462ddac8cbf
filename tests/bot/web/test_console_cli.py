"""`hoidap web` from the command line: a password hash to configure, and a clear refusal
when nobody could sign in."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot.cli import main
from bot.web.auth import check_password


@pytest.fixture(autouse=True)
def _logging_as_it_was():
    """`hoidap web` quiets httpx's request log for the process: put it back for the tests
    that read it."""
    httpx_logger = logging.getLogger("httpx")
    level = httpx_logger.level
    yield
    httpx_logger.setLevel(level)


def test_hash_password_prints_a_hash_of_the_piped_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-moi-123\n"))
    assert main(["web", "--hash-password"]) == 0
    stored = capsys.readouterr().out.strip()
    assert check_password("mat-khau-moi-123", stored)
    assert "mat-khau-moi-123" not in stored


def test_a_short_password_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert main(["web", "--hash-password"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err


def test_the_console_is_refused_without_a_way_to_sign_in(
    seed_data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HOIDAP_WEB_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("HOIDAP_WEB_TOKEN", raising=False)
    assert main(["web", "--data-dir", str(seed_data_dir)]) == 1
    err = capsys.readouterr().err
    assert "HOIDAP_WEB_PASSWORD_HASH" in err and "hoidap web --hash-password" in err


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("HOIDAP_WEB_PASSWORD_HASH", "mat-khau-de-tran", "is not a password hash"),
        ("HOIDAP_WEB_TOKEN", "ngan-qua", "at least 16 characters"),
    ],
)
def test_bad_console_settings_are_refused_without_echoing_them(
    seed_data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    said: str,
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["web", "--data-dir", str(seed_data_dir)]) == 1
    err = capsys.readouterr().err
    assert said in err and value not in err


def test_hoidap_run_serves_the_console_next_to_the_bots_when_enabled(service) -> None:
    from bot.cli import _channels
    from bot.settings import Settings
    from bot.terminal import TerminalChat
    from bot.web.server import WebConsole

    enabled = Settings(web_enabled=True, web_token="t" * 32, web_port=0)
    (channel,) = _channels(enabled, service, terminal=False)
    assert isinstance(channel, WebConsole) and channel.listen == "127.0.0.1"
    (default,) = _channels(Settings(), service, terminal=False)  # off unless enabled
    assert isinstance(default, TerminalChat)
