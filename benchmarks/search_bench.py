"""Index build time, query latency and peak memory of the knowledge base at 1×, 10× and 100×.

    .venv/bin/python benchmarks/search_bench.py                         # scales 1,10,100
    .venv/bin/python benchmarks/search_bench.py --scales 1,10 --queries 300 --out bench.json
    .venv/bin/python benchmarks/search_bench.py --scales 100 --profile  # adds hot spots of ask()

Larger corpora are made from the real documents: copy k of each document gets its own id,
title and region (闽清县 → 闽清县-k) and its body paragraphs shuffled within each run between
headings, with some numbers changed, so no two copies are byte-identical. Each scale runs in
its own process pinned to one core, so build times and peak memory are separate. Latencies
are of `KnowledgeBase.ask` (the whole answer path) and `KnowledgeBase.search` (understanding,
search and region rerank), over ~60 colloquial resident questions written for this
benchmark (not the evaluation set), cycled until --queries timed calls. For comparison, bm25s
indexes the same passages as the same jieba tokens (`knowledge.analyzer.analyze`) and answers
the same questions (query tokenisation included in its time, as it is in ours). Prints JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.timing import nearest_rank_ms  # noqa: E402

# (question, region the resident set or None)
QUESTIONS: list[tuple[str, str | None]] = [
    ("我家是贫困户，娃明年上高中，学费能免吗", None),
    ("孩子在读大学，家里困难，有没有啥补助", None),
    ("上小学的娃娃吃饭国家管不管", None),
    ("读职校的伢有补贴冇", "湖北省"),
    ("娃辍学了村里会来管吗", None),
    ("贫困学生助学贷款咋个申请", None),
    ("我们老人住院报销几多", None),
    ("看病花了好几万，大病保险能报多少", "新平县"),
    ("住院要先交押金吗 贫困户", None),
    ("慢性病门诊能不能报销", None),
    ("医保的钱是政府帮交吗", None),
    ("闽清这边看病报销比例是多少", None),
    ("新平县贫困户住院自己要出多少钱", None),
    ("家里房子漏雨了能申请危房改造吗", None),
    ("危房改造一户补多少钱", "闽清县"),
    ("想盖新房子，政府给补贴不", None),
    ("易地搬迁搬过去以后有工作吗", None),
    ("戛洒那边房子改造补多少", None),
    ("低保一个月能领多少钱", None),
    ("我妈七十多了没人管，能吃低保不", None),
    ("残疾人有没有补贴", None),
    ("低保和扶贫能一起享受吗", "淮安区"),
    ("特困供养怎么申请", None),
    ("没活干，村里有公益岗位吗", None),
    ("出去打工路费给报不", None),
    ("想学门手艺，技能培训要钱吗", None),
    ("扶贫车间在哪，招不招人", None),
    ("在家门口找活干有啥办法", "镇头镇"),
    ("想借点钱养猪，小额信贷怎么贷", None),
    ("扶贫贷款利息谁出", None),
    ("贷款最多能贷几万", "新平县"),
    ("养牛有没有产业补助", None),
    ("种油茶政府扶持吗", None),
    ("村里的路啥时候修", None),
    ("我们组还没通硬化路", "湖北省"),
    ("吃水困难，自来水啥时候通", None),
    ("饮水安全有保障吗", None),
    ("村里网络信号不好能不能装宽带", None),
    ("光伏扶贫每年分多少钱", None),
    ("恩施的贫困户有啥特别的政策", None),
    ("车桥那边产业扶贫搞什么", None),
    ("坂东镇的贫困村什么时候出列", None),
    ("浏阳农村低保标准", None),
    ("淮安区贫困户认定标准是啥", None),
    ("福建建档立卡户能享受哪些政策", None),
    ("脱贫了以后政策还有吗", None),
    ("脱贫后又返贫了咋办", None),
    ("干部说要来帮扶，帮扶干部是干啥的", None),
    ("村干部优亲厚友，去哪举报", None),
    ("扶贫资金被挪用了找谁", None),
    ("低宝咋个申请", None),
    ("危方改造报消", None),
    ("醫療救助怎麼申請", None),
    ("２０２０年以后还有补助吗", None),
    ("孩子上学有补助吗 恩施", "湖北省"),
    ("今天天气怎么样", None),
    ("帮我订一张去北京的火车票", None),
    ("股票明天会涨吗", None),
    ("你喜欢吃什么", None),
    ("怎么注册微信", None),
]

HEADING = re.compile(
    r"^\s*([一二三四五六七八九十]{1,3}[、.．]|[(（][一二三四五六七八九十\d]{0,3}[)）]|\d{1,2}[.．、]|第.{1,3}[章节条部分])"
)
LONG_PARAGRAPH = 40
NUMBER = re.compile(r"\d+")


# --------------------------------------------------------------------------- corpus


def perturb(text: str, rng: random.Random) -> str:
    """Shuffle runs of long body paragraphs between headings; change some of their numbers."""
    paragraphs = text.split("\n")
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        rng.shuffle(run)
        out.extend(NUMBER.sub(lambda m: _other_number(m.group(0), rng), p) for p in run)
        run.clear()

    for p in paragraphs:
        if len(p.strip()) > LONG_PARAGRAPH and not HEADING.match(p):
            run.append(p)
        elif not p.strip() and run:
            continue  # blank separators inside a run; put back as one blank between paragraphs
        else:
            flush()
            out.append(p)
    flush()
    return "\n\n".join(x for x in out if x.strip()) + "\n"


def _other_number(number: str, rng: random.Random) -> str:
    if rng.random() > 0.3:
        return number
    first = str(rng.randint(1, 9)) if len(number) > 1 else str(rng.randint(0, 9))
    return first + "".join(str(rng.randint(0, 9)) for _ in number[1:])


def make_corpus(scale: int, target: Path) -> int:
    """Write `scale` copies of the real corpus into `target`; returns the number of documents."""
    from knowledge.manifest import DEFAULT_CORPUS, MANIFEST

    if scale == 1:
        shutil.copytree(DEFAULT_CORPUS, target)
        return len(json.loads((target / MANIFEST).read_text(encoding="utf-8"))["documents"])
    target.mkdir(parents=True)
    entries = json.loads((DEFAULT_CORPUS / MANIFEST).read_text(encoding="utf-8"))["documents"]
    documents = []
    for k in range(scale):
        rng = random.Random(k)
        for entry in entries:
            text = (DEFAULT_CORPUS / entry["file"]).read_text(encoding="utf-8")
            copy = dict(entry)
            if k:
                text = perturb(text, rng)
                copy.update(
                    id=f"{entry['id']}-{k:03d}",
                    file=f"{k:03d}_{entry['file']}",
                    title=f"{entry['title']}（副本{k}）",
                    region=f"{entry['region']}-{k}",
                )
            (target / copy["file"]).write_text(text, encoding="utf-8")
            documents.append(copy)
    (target / MANIFEST).write_text(
        json.dumps({"documents": documents}, ensure_ascii=False), encoding="utf-8"
    )
    return len(documents)


# --------------------------------------------------------------------------- measuring


def percentiles(samples: tuple[list[float], list[float]]) -> dict[str, float]:
    """p50/p99/max in milliseconds (nearest rank), wall clock and this thread's CPU time."""
    wall, cpu = samples
    figures = nearest_rank_ms(wall)
    figures["cpu"] = nearest_rank_ms(cpu)
    return figures


def timed(fn, calls: list[tuple[str, str | None]]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per call; CPU time is what other load on the core cannot inflate."""
    wall, cpu = [], []
    for question, region in calls:
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn(question, region)
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return wall, cpu


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def rss_mb() -> float:
    import psutil

    return round(psutil.Process().memory_info().rss / 2**20, 1)


def worker(scale: int, queries: int, profile: bool) -> dict:
    pinned = None
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
        pinned = sorted(os.sched_getaffinity(0))
    from knowledge.analyzer import analyze
    from knowledge.service import KnowledgeBase

    calls = [QUESTIONS[i % len(QUESTIONS)] for i in range(queries)]
    result: dict = {"scale": scale, "cpus": pinned}
    work = Path(tempfile.mkdtemp(prefix=f"search-bench-{scale}x-"))
    try:
        corpus_dir = work / "corpus"
        start = time.perf_counter()
        result["documents"] = make_corpus(scale, corpus_dir)
        result["corpus_generate_s"] = round(time.perf_counter() - start, 2)
        result["corpus_mb"] = round(sum(f.stat().st_size for f in corpus_dir.iterdir()) / 2**20, 2)
        result["rss_before_build_mb"] = rss_mb()

        start, start_cpu = time.perf_counter(), time.process_time()
        kb = KnowledgeBase.open(work / "data", corpus_dir=corpus_dir)
        result["build_s"] = round(time.perf_counter() - start, 2)
        result["build_cpu_s"] = round(time.process_time() - start_cpu, 2)
        result["passages"] = kb.passage_count
        result["index_mb"] = round(
            sum(f.stat().st_size for f in (work / "data").rglob("*") if f.is_file()) / 2**20, 2
        )

        kb.ask(*QUESTIONS[0])  # warm-up: first-use tables load here, not in the timing
        abstained = sum(kb.ask(q, r).abstained for q, r in QUESTIONS)
        result["abstained_of_questions"] = f"{abstained}/{len(QUESTIONS)}"
        result["load_average"] = os.getloadavg()
        result["ask"] = percentiles(timed(kb.ask, calls))
        result["search"] = percentiles(timed(kb.search, calls))
        if profile:
            result["ask_hot_spots"] = hot_spots(kb, calls)
        result["peak_rss_mb"] = peak_rss_mb()
        result["rss_after_queries_mb"] = rss_mb()

        passages = list(kb.state.searcher.passages.values())
        del kb
        gc.collect()
        start = time.perf_counter()
        kb = KnowledgeBase.open(work / "data", corpus_dir=corpus_dir)
        result["reopen_built_index_s"] = round(time.perf_counter() - start, 2)
        del kb
        gc.collect()

        result["bm25s"] = bm25s_figures(passages, calls, analyze)
        result["bm25s"]["search_p50_ratio"] = round(
            result["bm25s"]["search"]["p50_ms"] / result["search"]["p50_ms"], 3
        )
        result["bm25s"]["search_p99_ratio"] = round(
            result["bm25s"]["search"]["p99_ms"] / result["search"]["p99_ms"], 3
        )
        result["peak_rss_with_bm25s_mb"] = peak_rss_mb()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def bm25s_figures(passages, calls, analyze) -> dict:
    """bm25s over the same passages as the same jieba tokens; query time includes tokenising."""
    import bm25s

    start = time.perf_counter()
    corpus_tokens = [analyze(p.text) for p in passages]
    tokenize_s = time.perf_counter() - start
    start = time.perf_counter()
    retriever = bm25s.BM25(k1=1.2, b=0.6)
    tokenized = bm25s.tokenization.Tokenized(*_vocab_ids(corpus_tokens))
    retriever.index(tokenized, show_progress=False)
    index_s = time.perf_counter() - start
    vocab = tokenized.vocab

    def search(question: str, region: str | None) -> list:
        ids = [vocab[w] for w in analyze(question) if w in vocab]
        if not ids:
            return []
        docs, _scores = retriever.retrieve([ids], k=20, show_progress=False, n_threads=1)
        return docs[0].tolist()

    search(*calls[0])
    return {
        "tokenize_s": round(tokenize_s, 2),
        "index_s": round(index_s, 3),
        "build_s": round(tokenize_s + index_s, 2),
        "search": percentiles(timed(search, calls)),
    }


def _vocab_ids(token_lists: list[list[str]]) -> tuple[list[list[int]], dict[str, int]]:
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(w, len(vocab)) for w in tokens] for tokens in token_lists]
    return ids, vocab


def hot_spots(kb, calls, top: int = 15) -> list[dict]:
    """cProfile of the ask loop: the functions with the most own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for question, region in calls:
        kb.ask(question, region)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt
    rows = []
    for (file, line, name), (_, nc, tt, ct, _) in stats.stats.items():
        rows.append((tt, ct, nc, f"{Path(file).name}:{line}({name})"))
    rows.sort(reverse=True)
    return [
        {
            "function": where,
            "own_share": round(tt / total, 3),
            "cumulative_s": round(ct, 3),
            "calls": nc,
        }
        for tt, ct, nc, where in rows[:top]
    ]


# --------------------------------------------------------------------------- driver


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        import psutil

        ram = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "ram_gb": ram,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100", help="comma-separated corpus multiples")
    parser.add_argument("--queries", type=int, default=600, help="timed calls per measurement")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per scale")
    parser.add_argument("--profile", action="store_true", help="add cProfile hot spots of ask()")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args.worker, args.queries, args.profile), ensure_ascii=False))
        return

    report = {
        "machine": machine(),
        "questions": len(QUESTIONS),
        "queries": args.queries,
        "scales": [],
    }
    for scale in (int(s) for s in args.scales.split(",") if s.strip()):
        command = [sys.executable, __file__, "--worker", str(scale), "--queries", str(args.queries)]
        if args.profile:
            command.append("--profile")
        start = time.perf_counter()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            report["scales"].append({"scale": scale, "error": f"timed out after {args.timeout} s"})
            continue
        if done.returncode:
            report["scales"].append(
                {"scale": scale, "error": done.stderr.strip().splitlines()[-5:]}
            )
            continue
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        figures["wall_s"] = round(time.perf_counter() - start, 1)
        report["scales"].append(figures)
        print(f"{scale}x done in {figures['wall_s']} s", file=sys.stderr)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
