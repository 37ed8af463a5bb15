"""Webhook mode: Telegram's updates arrive through the webhook and are answered; only Telegram can
post them. A forged POST is refused and reaches no handler."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from pathlib import Path

import aiohttp

from bot.runner import webhook_secret
from bot.settings import Settings
from handlers import texts
from standin import BotAPIStandIn

ROOT = Path(__file__).resolve().parent.parent
ADMIN = 4242
RESIDENT = 1001
QUESTION = "闽清的娃上大学有什么补助？"  # a place named: the answer comes at once


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_webhook_listens_on_loopback_unless_told_otherwise():
    assert Settings.load(None).webhook.listen == "127.0.0.1"


def test_a_configured_webhook_secret_is_registered_as_is_and_a_missing_one_is_made_up():
    configured = Settings.load(None, webhook_secret="s3cret-token")
    assert webhook_secret(configured) == "s3cret-token"
    made_up = {webhook_secret(Settings.load(None)) for _ in range(2)}
    assert len(made_up) == 2 and all(len(secret) >= 32 for secret in made_up)


async def test_webhook_mode_answers_telegram_and_refuses_forged_updates(
    policy_data_dir, policy_kb, tmp_path
):
    port = _free_port()
    async with BotAPIStandIn() as standin:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": standin.token,
            "TELEGRAM_BASE_URL": standin.base_url,
            "TELEGRAM_BASE_FILE_URL": standin.base_file_url,
            "DATA_DIR": str(policy_data_dir),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_PORT": str(port),
            "ADMIN_IDS": f"[{ADMIN}]",
        }
        env.pop("WEBHOOK_SECRET", None)
        env.pop("WEBHOOK_LISTEN", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from bot.runner import main; from bot.settings import Settings; "
            "raise SystemExit(main(Settings.load(None)))",
            cwd=ROOT,
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            for _ in range(600):
                if standin.calls_to("setWebhook") or process.returncode is not None:
                    break
                await asyncio.sleep(0.1)
            assert standin.calls_to("setWebhook"), "the bot never set its webhook"
            secret = standin.calls_to("setWebhook")[-1].params.get("secret_token")
            assert secret and len(secret) >= 32, "the webhook was registered without a secret token"

            forged = {
                "update_id": 999_001,
                "message": {
                    "message_id": 1,
                    "date": 1_700_000_000,
                    "text": "/myid",
                    "chat": {"id": ADMIN, "type": "private"},
                    "from": {"id": ADMIN, "is_bot": False, "first_name": "admin"},
                    "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
                },
            }
            async with aiohttp.ClientSession() as session:
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guessed"}):
                    async with session.post(
                        f"http://127.0.0.1:{port}/telegram",
                        data=json.dumps(forged),
                        headers={"Content-Type": "application/json", **headers},
                    ) as response:
                        assert response.status == 403
            # A genuine update, posted by Telegram after the forged ones, is answered through the
            # webhook (never polled): by then a forged update that got through would have been too.
            standin.push_text(RESIDENT, QUESTION)
            answer = await standin.pop_reply(RESIDENT, timeout=30)
            assert texts.BUTTON_SOURCE in answer.button_texts
            assert standin.webhook_deliveries[-1][1] == 200 and not standin.calls_to("getUpdates")
            answered = {str(c.params.get("chat_id")) for c in standin.calls_to("sendMessage")}
            assert answered == {str(RESIDENT)}, "a forged update was answered"
        finally:
            process.terminate()
            _, err = await asyncio.wait_for(process.communicate(), 30)
        assert "Traceback" not in err.decode(), err.decode()
        assert secret not in err.decode(), "the generated secret was logged"
