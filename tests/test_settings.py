"""Settings: read from the same environment variables as always, grouped per concern, and no
secret ever shows in what a log line or a traceback would print."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.services import deadline_policy
from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {
    "TELEGRAM_BOT_TOKEN": "987654321:tokenvalue-never-printed",
    "WEBHOOK_SECRET": "webhook-secret-never-printed",
    "COUNTER_KEY": "counter-key-never-printed",
    "DATABASE_URL": "postgresql+asyncpg://fupin:db-password-never-printed@db.internal/fupin",
}
SECRET_PARTS = [
    "tokenvalue-never-printed",
    "webhook-secret-never-printed",
    "counter-key-never-printed",
    "db-password-never-printed",
]


@pytest.fixture
def secret_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    return Settings.load(None)


def test_secrets_are_read_from_their_variables(secret_settings: Settings) -> None:
    s = secret_settings
    assert s.telegram.bot_token is not None
    assert s.telegram.bot_token.get_secret_value() == SECRETS["TELEGRAM_BOT_TOKEN"]
    assert s.webhook.secret is not None
    assert s.webhook.secret.get_secret_value() == SECRETS["WEBHOOK_SECRET"]
    assert s.intake.counter_key is not None
    assert s.intake.counter_key.get_secret_value() == SECRETS["COUNTER_KEY"]
    assert s.database.effective_url == SECRETS["DATABASE_URL"]


def test_no_secret_shows_in_a_repr_a_str_a_log_line_or_a_dump(
    secret_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    s = secret_settings
    with caplog.at_level(logging.INFO):
        logging.getLogger("test_settings").info("settings: %s %r", s, s)
    groups = [s.telegram, s.webhook, s.database, s.knowledge, s.intake, s.deadlines, s.web]
    printed = [
        repr(s),
        str(s),
        f"{s}",
        caplog.text,
        s.model_dump_json(),
        str(s.model_dump()),
        *(repr(g) for g in groups),
        *(str(g) for g in groups),
        repr(s.replace(web_port=9000)),
    ]
    for text in printed:
        for secret in SECRET_PARTS:
            assert secret not in text
    assert "**********" in repr(s.telegram)  # the secret is there, masked


def test_every_variable_of_env_example_is_a_setting_and_every_setting_is_listed() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^# ([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    known = {name.upper() for name in Settings.variable_names()}
    assert listed == known


def test_environment_variables_keep_their_flat_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_PORT", "9123")
    monkeypatch.setenv("FLOOD_MAX_MESSAGES", "3")
    monkeypatch.setenv("ADMIN_IDS", "[11, 12]")
    monkeypatch.setenv("DEADLINE_CHECK_SECONDS", "60")
    monkeypatch.setenv("ACCEPT_WORKING_DAYS", "2")
    s = Settings.load(None)
    assert s.web.port == 9123
    assert s.telegram.flood_max_messages == 3
    assert s.telegram.admin_ids == [11, 12]
    policy = deadline_policy(s.deadlines)
    assert policy.check_every == timedelta(seconds=60)
    assert policy.accept_days == 2


def test_a_misspelt_setting_is_refused_not_ignored() -> None:
    with pytest.raises(TypeError, match="web_prot"):
        Settings.load(None).replace(web_prot=1)
