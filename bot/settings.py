"""Typed settings from the environment or `.env`, grouped by what they configure.

Every setting has a local default so that `python -m bot` runs on a fresh machine with no
configuration at all. The environment variables keep their flat names (TELEGRAM_BOT_TOKEN,
WEB_PORT, ...; see `.env.example`): `_Environment` reads them, and `Settings.load` sorts them
into one group per concern. Secrets are `SecretStr`, so no repr, log line or traceback shows them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _Environment(BaseSettings):
    """The environment variables, as they are named there (case-insensitive)."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    telegram_poll_timeout: float = 30.0
    telegram_overall_rate: float = 30.0
    telegram_max_retries: int = 5
    concurrent_updates: int = 256
    flood_max_messages: int = 8
    flood_window_seconds: float = 10.0
    admin_ids: list[int] = Field(default_factory=list)

    webhook_url: str | None = None
    # Loopback: a reverse proxy terminates TLS in front; set 0.0.0.0 only with a secret and a firewall.
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: SecretStr | None = None

    database_url: SecretStr | None = None  # may carry a password

    data_dir: Path = PROJECT_ROOT / "data"
    corpus_dir: Path | None = None

    complaints_per_day: int = 5
    anonymous_duplicate_days: int = 30
    query_code_tries_per_ticket: int = 5
    query_code_tries_per_account: int = 20
    query_code_lock_hours: float = 24.0
    draft_retention_hours: float = 72.0
    counter_key: SecretStr | None = None

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

    web_enabled: bool = True
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    web_base_url: str | None = None
    web_session_idle_minutes: float = 30.0
    web_session_max_hours: float = 12.0
    web_link_minutes: float = 10.0
    web_widget_max_age_seconds: int = 3600

    log_level: str = "INFO"


class _Group(BaseModel):
    model_config = ConfigDict(frozen=True)


class TelegramSettings(_Group):
    """The Bot API connection, how fast the bot may go, and the first admins."""

    bot_token: SecretStr | None  # None: the local terminal chat with a stand-in Bot API
    base_url: str
    base_file_url: str
    poll_timeout: float  # seconds a getUpdates long poll waits
    overall_rate: float  # messages per second the whole bot may send
    max_retries: int  # after a 429 from Telegram
    concurrent_updates: int
    flood_max_messages: int  # per resident and window before a notice (0 = no flood control)
    flood_window_seconds: float
    admin_ids: list[int]


class WebhookSettings(_Group):
    """Receiving updates by webhook instead of polling (when `url` is set)."""

    url: str | None
    listen: str
    port: int
    secret: SecretStr | None  # None: a random one per start


class DatabaseSettings(_Group):
    url: SecretStr | None  # None: the SQLite file in DATA_DIR
    sqlite_file: Path

    @property
    def effective_url(self) -> str:
        """The URL to connect to: DATABASE_URL, else the SQLite file in the data directory."""
        if self.url is not None and self.url.get_secret_value():
            return self.url.get_secret_value()
        return f"sqlite+aiosqlite:///{self.sqlite_file}"


class KnowledgeSettings(_Group):
    data_dir: Path  # the search index and the documents admins added live here
    corpus_dir: Path | None  # None: the five plans shipped in knowledge/corpus

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


class IntakeLimits(_Group):
    """Abuse limits of the complaint intake and /status (see SECURITY.md)."""

    complaints_per_day: int
    anonymous_duplicate_days: int
    query_code_tries_per_ticket: int
    query_code_tries_per_account: int
    query_code_lock_hours: float
    draft_retention_hours: float  # an untouched draft (name, phone, story) is deleted after this
    counter_key: SecretStr | None  # key of the hashes that count; None: kept in DATA_DIR


class DeadlineSettings(_Group):
    """Complaint deadlines, in working days (weekends and holidays off, 调休 days on)."""

    holidays_file: Path | None  # None: storage/data/holidays_cn.json
    holidays: list[date]
    makeup_workdays: list[date]
    accept_working_days: int
    transfer_working_days: int
    resolve_working_days: int
    resolve_working_days_by_category: dict[str, int]
    accept_reminder_hours: float
    resolve_reminder_hours: float
    feedback_window_days: float
    check_seconds: float


class WebSettings(_Group):
    """The staff web console (web/): inside the bot process, or alone with `python -m bot web`."""

    enabled: bool
    host: str
    port: int
    base_url: str | None  # the address people open, e.g. https://gongdan.example.gov.cn
    session_idle_minutes: float
    session_max_hours: float
    link_minutes: float  # the one-time sign-in link /web sends
    widget_max_age_seconds: int  # Telegram Login Widget: older auth_date is refused

    @property
    def effective_base_url(self) -> str:
        """Where people open the console: WEB_BASE_URL, else the local address it listens on."""
        if self.base_url:
            return self.base_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"


class Settings(_Group):
    telegram: TelegramSettings
    webhook: WebhookSettings
    database: DatabaseSettings
    knowledge: KnowledgeSettings
    intake: IntakeLimits
    deadlines: DeadlineSettings
    web: WebSettings
    log_level: str

    _environment: _Environment = PrivateAttr()

    @classmethod
    def load(cls, env_file: str | Path | None = ".env", **values: Any) -> Settings:
        """The settings from the environment and `env_file` (None: the environment only);
        `values`, named like the environment variables in lower case, take precedence."""
        _check_names(values)
        return cls._of(_Environment(_env_file=env_file, **values))

    def replace(self, **values: Any) -> Settings:
        """A copy with `values` (named like the environment variables, e.g. web_port=0) changed."""
        _check_names(values)
        return self._of(_Environment.model_validate({**self._environment.model_dump(), **values}))

    @staticmethod
    def variable_names() -> list[str]:
        """The environment variables settings are read from (lower case)."""
        return list(_Environment.model_fields)

    @classmethod
    def _of(cls, env: _Environment) -> Settings:
        settings = cls(
            telegram=TelegramSettings(
                bot_token=env.telegram_bot_token,
                base_url=env.telegram_base_url,
                base_file_url=env.telegram_base_file_url,
                poll_timeout=env.telegram_poll_timeout,
                overall_rate=env.telegram_overall_rate,
                max_retries=env.telegram_max_retries,
                concurrent_updates=env.concurrent_updates,
                flood_max_messages=env.flood_max_messages,
                flood_window_seconds=env.flood_window_seconds,
                admin_ids=env.admin_ids,
            ),
            webhook=WebhookSettings(
                url=env.webhook_url,
                listen=env.webhook_listen,
                port=env.webhook_port,
                secret=env.webhook_secret,
            ),
            database=DatabaseSettings(
                url=env.database_url, sqlite_file=env.data_dir / "fupin.sqlite3"
            ),
            knowledge=KnowledgeSettings(data_dir=env.data_dir, corpus_dir=env.corpus_dir),
            intake=IntakeLimits(
                complaints_per_day=env.complaints_per_day,
                anonymous_duplicate_days=env.anonymous_duplicate_days,
                query_code_tries_per_ticket=env.query_code_tries_per_ticket,
                query_code_tries_per_account=env.query_code_tries_per_account,
                query_code_lock_hours=env.query_code_lock_hours,
                draft_retention_hours=env.draft_retention_hours,
                counter_key=env.counter_key,
            ),
            deadlines=DeadlineSettings(
                holidays_file=env.holidays_file,
                holidays=env.holidays,
                makeup_workdays=env.makeup_workdays,
                accept_working_days=env.accept_working_days,
                transfer_working_days=env.transfer_working_days,
                resolve_working_days=env.resolve_working_days,
                resolve_working_days_by_category=env.resolve_working_days_by_category,
                accept_reminder_hours=env.accept_reminder_hours,
                resolve_reminder_hours=env.resolve_reminder_hours,
                feedback_window_days=env.feedback_window_days,
                check_seconds=env.deadline_check_seconds,
            ),
            web=WebSettings(
                enabled=env.web_enabled,
                host=env.web_host,
                port=env.web_port,
                base_url=env.web_base_url,
                session_idle_minutes=env.web_session_idle_minutes,
                session_max_hours=env.web_session_max_hours,
                link_minutes=env.web_link_minutes,
                widget_max_age_seconds=env.web_widget_max_age_seconds,
            ),
            log_level=env.log_level,
        )
        settings._environment = env
        return settings


def _check_names(values: dict[str, Any]) -> None:
    """A misspelt setting is an error, not silently ignored."""
    unknown = sorted(set(values) - set(_Environment.model_fields))
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(unknown)}")
