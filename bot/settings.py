"""Typed settings from the environment or `.env`.

Every setting has a local default so that `python -m bot` runs on a fresh machine
with no configuration at all.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.workdays import DEFAULT_HOLIDAYS_FILE, DeadlinePolicy, WorkCalendar

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
    # Loopback: a reverse proxy terminates TLS in front; set 0.0.0.0 only with a secret and a firewall.
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = Field(default=None, repr=False)

    data_dir: Path = PROJECT_ROOT / "data"
    corpus_dir: Path | None = None
    database_url: str | None = None

    admin_ids: list[int] = Field(default_factory=list)

    # Abuse limits of the complaint intake and /status (see SECURITY.md).
    complaints_per_day: int = 5
    anonymous_duplicate_days: int = 30
    query_code_tries_per_ticket: int = 5
    query_code_tries_per_account: int = 20
    query_code_lock_hours: float = 24.0
    # An intake draft (name, phone, story) untouched this long is deleted.
    draft_retention_hours: float = 72.0
    # Key of the hashes that count filings and wrong codes; unset = a random key per start.
    counter_key: SecretStr | None = Field(default=None, repr=False)

    # Complaint deadlines, in working days (weekends, HOLIDAYS_FILE and HOLIDAYS off; MAKEUP_WORKDAYS on).
    holidays_file: Path | None = None
    holidays: list[date] = Field(default_factory=list)
    makeup_workdays: list[date] = Field(default_factory=list)
    accept_working_days: int = 1
    transfer_working_days: int = 2
    resolve_working_days: int = 15
    resolve_working_days_by_category: dict[str, int] = Field(default_factory=dict)
    accept_reminder_hours: float = 4.0
    resolve_reminder_hours: float = 48.0
    feedback_window_days: float = 5.0
    deadline_check_seconds: float = 300.0
    log_level: str = "INFO"

    # The staff web console (web/): served inside the bot process, or alone with `python -m bot web`.
    web_enabled: bool = True
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    web_base_url: str | None = None  # the address people open, e.g. https://gongdan.example.gov.cn
    web_session_idle_minutes: float = 30.0
    web_session_max_hours: float = 12.0
    web_link_minutes: float = 10.0  # the one-time sign-in link /web sends
    web_widget_max_age_seconds: int = 3600  # Telegram Login Widget: older auth_date is refused

    @cached_property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    def deadline_policy(self) -> DeadlinePolicy:
        calendar = WorkCalendar.from_file(
            self.holidays_file or DEFAULT_HOLIDAYS_FILE,
            holidays=self.holidays,
            makeup_workdays=self.makeup_workdays,
        )
        return DeadlinePolicy(
            calendar=calendar,
            accept_days=self.accept_working_days,
            transfer_days=self.transfer_working_days,
            resolve_days=self.resolve_working_days,
            resolve_days_by_category=dict(self.resolve_working_days_by_category),
            accept_reminder=timedelta(hours=self.accept_reminder_hours),
            resolve_reminder=timedelta(hours=self.resolve_reminder_hours),
            feedback_window=timedelta(days=self.feedback_window_days),
            check_every=timedelta(seconds=self.deadline_check_seconds),
        )

    @property
    def effective_web_base_url(self) -> str:
        """Where people open the console: WEB_BASE_URL, else the local address it listens on."""
        if self.web_base_url:
            return self.web_base_url.rstrip("/")
        host = "127.0.0.1" if self.web_host in ("0.0.0.0", "::", "") else self.web_host
        return f"http://{host}:{self.web_port}"

    @property
    def effective_database_url(self) -> str:
        """SQLite file in the data directory unless DATABASE_URL says otherwise."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'fupin.sqlite3'}"
