"""How many residents' questions the bot answers per second, through the Bot API stand-in.

N simulated residents ask at once: each sends a question, waits for the answer, and the
next resident takes their place (a fresh user id per question, so per-user flood control
stays on and is never what limits the figures). Telegram's own overall send limit (30/s)
is turned off: the point is what the bot could do, not what Telegram lets it send.

Two set-ups:
- default: the bot runs as `bot.runner.main` (the production polling path) in its own
  process pinned to one CPU; the stand-in and the residents run in this process on another.
- `--in-process`: bot, stand-in and residents share one process and one CPU (pessimistic);
  with `--precomputed` the real answers are computed beforehand, which isolates the cost of
  the Telegram layer (polling, handlers, HTML, HTTP, rate limiter) from search.

    python benchmarks/telegram_throughput.py [--residents 1 10 100] [--questions 600]

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from handlers import texts  # noqa: E402
from standin import BotAPIStandIn, Reply  # noqa: E402
from tests.telegram_harness import bot_harness  # noqa: E402

TOPICS = [
    "看病能报销多少",
    "娃上大学有什么补助",
    "危房改造补贴多少钱",
    "低保怎么申请",
    "养猪有补贴吗",
    "贫困户贷款怎么办",
    "易地搬迁能补多少",
    "残疾人有什么补贴",
    "技能培训有补助吗",
    "光伏扶贫收益怎么分",
]
OPENERS = ["", "请问", "我想问一下，", "俺家"]
PLACES = ["", "坂东镇", "恩施", "淮安", "新平"]
ENDINGS = ["", "？", "啊"]
BOT_PROCESS = "from bot.runner import main; from bot.settings import Settings; raise SystemExit(main(Settings.load()))"


def questions() -> list[str]:
    """600 distinct colloquial questions, so no cache can flatter the figures.

    Shuffled (with a fixed seed), so that the warm-up meets every topic: a first use of
    some lazily loaded table must not land in the measurement.
    """
    pool = [f"{o}{p}{t}{e}" for t, o, p, e in itertools.product(TOPICS, OPENERS, PLACES, ENDINGS)]
    random.Random(4).shuffle(pool)
    return pool


class PrecomputedAnswers:
    """The real knowledge base with every benchmark question answered beforehand."""

    def __init__(self, kb: object, pool: list[str]) -> None:
        self._kb = kb
        self._answers = {q: kb.ask(q, None) for q in pool}

    def ask(self, question: str, region: str | None = None) -> object:
        answer = self._answers.get(question)
        return answer if answer is not None and region is None else self._kb.ask(question, region)

    def __getattr__(self, name: str) -> object:
        return getattr(self._kb, name)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


async def drive(
    standin: BotAPIStandIn, residents: int, total: int, pool: list[str]
) -> dict[str, object]:
    """Residents ask `total` questions, `residents` at a time; measure answers and latency."""
    asked = itertools.count()
    latencies: list[float] = []
    outcomes: collections.Counter[str] = collections.Counter()
    limit = total

    async def resident(worker: int) -> None:
        for k in itertools.count():
            n = next(asked)
            if n >= limit:
                return
            user = (worker + 1) * 1_000_000 + k
            started = time.perf_counter()
            standin.push_text(user, pool[n % len(pool)])
            reply = await standin.pop_reply(user, timeout=120)
            latencies.append(time.perf_counter() - started)
            outcomes[_outcome(reply)] += 1

    # Warm-up (tokeniser dictionaries, connections) outside the timing.
    limit = min(total, 5 * residents)
    await asyncio.gather(*(resident(-1 - i) for i in range(residents)))
    asked, limit = itertools.count(), total
    latencies.clear()
    outcomes.clear()
    started = time.perf_counter()
    await asyncio.gather(*(resident(w) for w in range(residents)))
    elapsed = time.perf_counter() - started
    return {
        "residents": residents,
        "questions": len(latencies),
        "seconds": round(elapsed, 3),
        "answers_per_second": round(len(latencies) / elapsed, 1),
        "latency_ms": {
            "p50": round(percentile(latencies, 50) * 1000, 1),
            "p99": round(percentile(latencies, 99) * 1000, 1),
            "mean": round(statistics.fmean(latencies) * 1000, 1),
        },
        "replies": dict(outcomes),
        "rejected_by_standin": len(standin.rejected()),
    }


def _outcome(reply: Reply) -> str:
    if texts.BUTTON_SOURCE in reply.button_texts:
        return "answered"
    if reply.button_texts == [texts.BUTTON_COMPLAIN]:
        return "abstained"
    return "other"


async def level_in_process(
    kb: object, residents: int, total: int, pool: list[str]
) -> dict[str, object]:
    async with bot_harness(
        kb, telegram_overall_rate=0, concurrent_updates=max(256, residents)
    ) as h:
        return await drive(h.standin, residents, total, pool)


def bot_process_env(standin: BotAPIStandIn, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot process (`BOT_PROCESS`) that polls `standin`."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": standin.token,
        "TELEGRAM_BASE_URL": standin.base_url,
        "TELEGRAM_BASE_FILE_URL": standin.base_file_url,
        "TELEGRAM_OVERALL_RATE": "0",
        "TELEGRAM_POLL_TIMEOUT": "1",
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("WEBHOOK_URL", None)
    return env


async def level_bot_process(
    data_dir: Path, bot_cpus: set[int], residents: int, total: int, pool: list[str]
) -> dict[str, object]:
    async with BotAPIStandIn() as standin:
        env = bot_process_env(standin, data_dir, CONCURRENT_UPDATES=str(max(256, residents)))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            BOT_PROCESS,
            cwd=str(ROOT),
            env=env,
            preexec_fn=(lambda: os.sched_setaffinity(0, bot_cpus)) if bot_cpus else None,
        )
        try:
            deadline = time.monotonic() + 120
            while not standin.calls_to("getUpdates"):
                if process.returncode is not None or time.monotonic() > deadline:
                    raise RuntimeError("the bot process did not start polling")
                await asyncio.sleep(0.1)
            return await drive(standin, residents, total, pool)
        finally:
            process.terminate()
            await process.wait()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--questions", type=int, default=600, help="questions per level")
    parser.add_argument(
        "--in-process", action="store_true", help="bot, stand-in and residents on one CPU"
    )
    parser.add_argument(
        "--precomputed",
        action="store_true",
        help="with --in-process: answers computed beforehand (Telegram layer alone)",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="index directory (default: a temporary one)"
    )
    args = parser.parse_args(argv)
    if args.precomputed and not args.in_process:
        parser.error("--precomputed needs --in-process")

    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    bot_cpus = set(cpus[:1])
    if cpus:  # the bot gets the first CPU; the stand-in and residents the next one, if any
        os.sched_setaffinity(
            0, {cpus[1] if len(cpus) > 1 else cpus[0]} if not args.in_process else bot_cpus
        )
    from knowledge.service import KnowledgeBase

    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch)
        kb = KnowledgeBase.open(data_dir)  # builds the index the bot process will open
        pool = questions()
        if args.in_process:
            served = PrecomputedAnswers(kb, pool) if args.precomputed else kb
            levels = [
                await level_in_process(served, n, args.questions, pool) for n in args.residents
            ]
        else:
            levels = [
                await level_bot_process(data_dir, bot_cpus, n, args.questions, pool)
                for n in args.residents
            ]
    print(
        json.dumps(
            {
                "benchmark": "telegram_throughput",
                "setup": (
                    "in one process on one CPU"
                    if args.in_process
                    else "bot process pinned to one CPU; stand-in and residents on another"
                ),
                "search": "precomputed answers (Telegram layer only)"
                if args.precomputed
                else "live kb.ask per question",
                "python": platform.python_version(),
                "nproc": os.cpu_count(),
                "cpu_model": cpu_model(),
                "levels": levels,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
