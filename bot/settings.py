"""Typed settings from the environment or `.env`.

Every setting has a local default so that `python -m bot` runs on a fresh machine
with no configuration at all.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(default=None, repr=False)
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    telegram_poll_timeout: float = 30.0
    telegram_overall_rate: float = 30.0
    telegram_max_retries: int = 5
    concurrent_updates: int = 256
    flood_max_messages: int = 8
    flood_window_seconds: float = 10.0
    webhook_url: str | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = Field(default=None, repr=False)

    data_dir: Path = PROJECT_ROOT / "data"
    corpus_dir: Path | None = None
    database_url: str | None = None

    admin_ids: list[int] = Field(default_factory=list)
    log_level: str = "INFO"

    @cached_property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def effective_database_url(self) -> str:
        """SQLite file in the data directory unless DATABASE_URL says otherwise."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'fupin.sqlite3'}"
