"""`python -m bot web`: the console alone in its own process, on the database the bot uses."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from datetime import timedelta
from pathlib import Path

import aiohttp

from storage.db import Database
from storage.migrate import upgrade
from storage.web_access import WebAccessStore
from web import texts as t

ROOT = Path(__file__).resolve().parent.parent
ADMIN = 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_the_console_runs_alone_against_the_bots_database(
    policy_data_dir, policy_kb, tmp_path
):
    url = f"sqlite+aiosqlite:///{tmp_path / 'fupin.sqlite3'}"
    await upgrade(url)
    port = _free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(policy_data_dir),
        "DATABASE_URL": url,
        "WEB_PORT": str(port),
        "ADMIN_IDS": f"[{ADMIN}]",
        "TELEGRAM_BOT_TOKEN": "",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "web", cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            for _ in range(600):
                try:
                    async with client.get(f"{base}/login") as page:
                        if page.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    if process.returncode is not None:
                        break
                    await asyncio.sleep(0.1)
            # A link made in "the bot's" process signs in on the console's: the same database.
            db = Database(url)
            try:
                token = await WebAccessStore(db).issue_link(ADMIN, timedelta(minutes=10))
            finally:
                await db.dispose()
            async with client.post(f"{base}/login/link", data={"token": token}) as signed:
                assert signed.status == 200 and signed.url.path == "/dashboard"
                assert t.DASHBOARD_TITLE in await signed.text()
    finally:
        process.terminate()
        _, err = await asyncio.wait_for(process.communicate(), 30)
    assert "Traceback" not in err.decode(), err.decode()
