"""Cost of answering in a conversation: `KnowledgeBase.converse` per message, next to `ask`.

    .venv/bin/python benchmarks/conversation_bench.py                 # 20 rounds of each chat
    .venv/bin/python benchmarks/conversation_bench.py --rounds 50

The chats below were written for this benchmark (not the evaluation dialogs): a first
question, then the follow-ups residents send (找谁, 多少, 啥时候, a place switch, a narrowing,
还有别的吗) and one aside. A first question costs about one `ask`; a follow-up reads the message
alone and then the topic with its words, so about two. Runs pinned to one core on the shipped
corpus; CPU time (`time.thread_time`) is what other load on the machine cannot inflate.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import nearest_rank_ms

CHATS = [
    (["低保户住院能报销多少", "那要找谁办", "那一年给多少", "那我们镇头那边呢"], "淮安区"),
    (["娃上学有什么补助", "那上大学的呢", "还有别的吗"], "闽清县"),
    (["危房改造有补助吗", "最晚啥时候弄好", "要啥条件", "去哪里申请"], None),
    (["贫困户想贷款养猪", "最多能贷多少", "要还几年", "明天天气怎么样"], "湖北省"),
    (["想当护林员挣点工钱", "归哪个单位管", "那新平那边呢"], None),
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    from knowledge.service import KnowledgeBase

    kb = KnowledgeBase.open(Path(tempfile.mkdtemp(prefix="conversation-bench-")))
    kb.ask("危房改造补助怎么申请")  # opens this thread's Whoosh searcher
    first, follow, plain, plain_first = [], [], [], []
    for _ in range(args.rounds):  # the same messages each way, so caches favour neither
        for messages, region in CHATS:
            for i, message in enumerate(messages):
                start = time.thread_time()
                kb.ask(message, region)
                (plain if i else plain_first).append(time.thread_time() - start)
        for messages, region in CHATS:
            context = None
            for i, message in enumerate(messages):
                start = time.thread_time()
                _, context = kb.converse(message, context, region, 0.0)
                (follow if i else first).append(time.thread_time() - start)
    print(
        json.dumps(
            {
                "machine": {
                    "python": platform.python_version(),
                    "cpus": os.cpu_count(),
                    "load": os.getloadavg(),
                },
                "messages": len(first) + len(follow),
                # A follow-up alone (那要找谁办) is a quick "not found" for `ask`; first messages compare.
                "ask_first_message_cpu": nearest_rank_ms(plain_first),
                "ask_follow_up_alone_cpu": nearest_rank_ms(plain),
                "converse_first_message_cpu": nearest_rank_ms(first),
                "converse_follow_up_cpu": nearest_rank_ms(follow),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
