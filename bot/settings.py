"""Settings from the environment (prefix HOIDAP_) and `.env`; read once at the entry point."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.web.auth import valid_hash
from index.embedders import DEFAULT_EMBEDDER, Runtime

# Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and - as a webhook secret token.
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Zalo wants 8-256 characters; the same alphabet keeps the header value safe.
_ZALO_SECRET = re.compile(r"[A-Za-z0-9_-]{8,256}")


class Settings(BaseSettings):
    """Every knob of hoidap; see `.env.example` for documentation of each."""

    model_config = SettingsConfigDict(
        env_prefix="HOIDAP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Path("data")
    corpus_dir: Path = Path("corpus")
    embedder: str = DEFAULT_EMBEDDER
    embedder_runtime: Runtime = "auto"
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

    zalo_token: SecretStr | None = None
    zalo_base_url: str = "https://bot-api.zaloplatforms.com/bot"
    zalo_admin_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    zalo_bot_name: str = ""  # extra name members use to address the bot in groups
    zalo_webhook_url: str = ""  # public HTTPS URL; empty means long polling
    zalo_webhook_listen: str = "127.0.0.1"
    zalo_webhook_port: int = Field(default=8444, ge=1, le=65535)
    zalo_webhook_secret: SecretStr | None = None
    zalo_startup_seconds: float = Field(default=120.0, ge=0)

    # The admin console in the browser (`hoidap web`; in `hoidap run` when enabled).
    web_enabled: bool = False
    web_listen: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    web_password_hash: SecretStr | None = None  # from `hoidap web --hash-password`
    web_token: SecretStr | None = None  # or a long random sign-in token
    web_secret_key: SecretStr | None = None  # signs session cookies (random per start if unset)
    web_eval_file: Path | None = None  # questions turned eval (default data/console_qa.jsonl)
    web_reports_dir: Path | None = None  # evaluation runs shown (default data/reports)

    # RSS/Atom feeds polled by `hoidap run`: their new items are indexed.
    feeds: Annotated[list[str], NoDecode] = Field(default_factory=list)
    feed_interval_minutes: float = Field(default=30.0, ge=1)

    typing_after_seconds: float = Field(default=0.5, ge=0)
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

    @field_validator("feeds", mode="before")
    @classmethod
    def _split_feeds(cls, value: object) -> object:
        if isinstance(value, str):
            return [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
        return value

    @field_validator("feeds")
    @classmethod
    def _feeds_are_links(cls, value: list[str]) -> list[str]:
        for url in value:
            if not re.match(r"(?i)^https?://[^/\s]+", url):
                raise ValueError(
                    f"HOIDAP_FEEDS holds {url[:80]!r}, which is not an http(s) address"
                )
        return value

    @field_validator("zalo_admin_ids", mode="before")
    @classmethod
    def _split_zalo_ids(cls, value: object) -> object:
        if isinstance(value, str | int):
            return [p.strip() for p in str(value).replace(";", ",").split(",") if p.strip()]
        return value

    @field_validator(
        "telegram_token",
        "telegram_webhook_secret",
        "zalo_token",
        "zalo_webhook_secret",
        "web_password_hash",
        "web_token",
        "web_secret_key",
        "web_eval_file",
        "web_reports_dir",
        mode="before",
    )
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
        if self.zalo_webhook_url:
            zalo = self.zalo_webhook_secret
            if zalo is None or not _ZALO_SECRET.fullmatch(zalo.get_secret_value()):
                raise ValueError(
                    "HOIDAP_ZALO_WEBHOOK_URL is set: HOIDAP_ZALO_WEBHOOK_SECRET must be a random "
                    "secret of 8-256 characters (A-Z, a-z, 0-9, _ and -)"
                )
        if self.web_token is not None and len(self.web_token.get_secret_value()) < 16:
            raise ValueError("HOIDAP_WEB_TOKEN must be a random token of at least 16 characters")
        if self.web_password_hash is not None and not valid_hash(
            self.web_password_hash.get_secret_value()
        ):
            raise ValueError(
                "HOIDAP_WEB_PASSWORD_HASH is not a password hash: make one with "
                "`hoidap web --hash-password`"
            )
        return self

    @property
    def console_eval_file(self) -> Path:
        """Where the console appends questions turned into evaluation questions."""
        return self.web_eval_file or self.data_dir / "console_qa.jsonl"

    @property
    def reports_dir(self) -> Path:
        """Where the console lists evaluation runs and writes its own."""
        return self.web_reports_dir or self.data_dir / "reports"

    @property
    def bot_db(self) -> Path:
        """The bot's SQLite database: questions, answers, feedback."""
        return self.data_dir / "bot.sqlite"
