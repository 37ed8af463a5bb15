"""Resident memory of the bot process, and its time from start to first answer.

The bot runs as in production (`bot.runner.main`: database migrated, conversation
persistence, long polling) against the Bot API stand-in, on the shipped corpus with its
index already built (as after any restart). Residents ask the 600 questions of
`telegram_throughput.py`, 10 at a time; the bot process's RSS (psutil) is read after the
first answer and after every question has been answered; the CPU time the bot process used
until its first answer says what start costs on a machine shared with other work.

    .venv/bin/python benchmarks/bot_memory.py [--questions 600]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from telegram_throughput import BOT_PROCESS, drive, questions  # noqa: E402

from standin import BotAPIStandIn  # noqa: E402


def rss_mb(pid: int) -> float:
    return round(psutil.Process(pid).memory_info().rss / 2**20, 1)


async def measure(data_dir: Path, total: int) -> dict[str, object]:
    from knowledge.service import KnowledgeBase

    KnowledgeBase.open(data_dir)  # build the index first: a restart finds it built
    pool = questions()
    async with BotAPIStandIn() as standin:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": standin.token,
            "TELEGRAM_BASE_URL": standin.base_url,
            "TELEGRAM_BASE_FILE_URL": standin.base_file_url,
            "TELEGRAM_OVERALL_RATE": "0",
            "TELEGRAM_POLL_TIMEOUT": "1",
            "DATA_DIR": str(data_dir),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("WEBHOOK_URL", None)
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", BOT_PROCESS, cwd=str(ROOT), env=env
        )
        try:
            standin.push_text(1, pool[0])
            await standin.pop_reply(1, timeout=120)
            first_answer = time.perf_counter() - started
            after_first = rss_mb(process.pid)
            cpu = psutil.Process(process.pid).cpu_times()
            figures = await drive(standin, 10, total, pool)
            return {
                "start_to_first_answer_s": round(first_answer, 2),
                # What start costs the bot on its own, whatever else the machine runs.
                "bot_cpu_to_first_answer_s": round(cpu.user + cpu.system, 2),
                "rss_after_first_answer_mb": after_first,
                "rss_after_questions_mb": rss_mb(process.pid),
                "questions": figures["questions"],
                "replies": figures["replies"],
            }
        finally:
            process.terminate()
            await process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bot-memory-") as data:
        result = asyncio.run(measure(Path(data), args.questions))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
