"""`python -m bot …`: run the bot (default), batch ask/route, reindex, database upgrade."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

from bot.logs import configure_logging
from bot.settings import Settings


def _knowledge(settings: Settings):
    from knowledge.service import KnowledgeBase

    return KnowledgeBase.open(settings.knowledge.data_dir, settings.knowledge.corpus_dir)


def _passage_json(hit) -> dict:
    p = hit.passage
    return {
        "id": p.id,
        "text": p.text,
        "title": p.title,
        "region": p.region,
        "heading_path": list(p.heading_path),
        "score": round(hit.score, 4),
    }


# Earlier messages read for a follow-up; a chat's context is about its last few answers anyway.
MAX_HISTORY = 20


def _converse(kb, row: dict, region: str | None):
    """The answer to the row's question after its `history` (the chat's earlier messages,
    oldest first), each answered in turn so that a follow-up is read in their context."""
    history = row.get("history")
    context = None
    for earlier in history[-MAX_HISTORY:] if isinstance(history, list) else []:
        _, context = kb.converse(str(earlier or ""), context, region)
    answer, _ = kb.converse(str(row.get("question") or ""), context, region)
    return answer


def cmd_ask(args, settings: Settings) -> int:
    from bot.batch import run_jsonl

    kb = _knowledge(settings)

    def handle(row: dict) -> dict:
        region = row.get("region")
        answer = _converse(kb, row, region if isinstance(region, str) else None)
        return {
            "answer": answer.text,
            "abstained": answer.abstained,
            "kind": answer.kind,
            "uncovered_place": answer.uncovered_place,
            "region": answer.region,
            "passages": [_passage_json(h) for h in answer.hits],
        }

    if not args.jsonl:
        question = " ".join(args.question)
        print(kb.ask(question, args.region).text)
        return 0
    # Bytes that are not UTF-8 and lone surrogates must not end the batch.
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", errors="backslashreplace")
    run_jsonl(handle, stdin, stdout)
    stdout.detach()
    return 0


def cmd_route(args, settings: Settings) -> int:
    from bot.batch import route_handler, run_jsonl
    from knowledge.manifest import DEFAULT_CORPUS
    from knowledge.routing import Router
    from knowledge.service import LIBRARY_DIR

    router = Router.from_corpus(
        settings.knowledge.corpus_dir or DEFAULT_CORPUS, settings.knowledge.data_dir / LIBRARY_DIR
    )
    if not args.jsonl:
        routing = route_handler(router)({"text": " ".join(args.text), "region": args.region})
        print(json.dumps(routing, ensure_ascii=False, indent=2))
        return 0
    # Bytes that are not UTF-8 and lone surrogates must not end the batch.
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", errors="backslashreplace")
    run_jsonl(route_handler(router), stdin, stdout)
    stdout.detach()
    return 0


def cmd_reindex(args, settings: Settings) -> int:
    from knowledge.service import KnowledgeBase

    kb = KnowledgeBase(settings.knowledge.data_dir, settings.knowledge.corpus_dir)
    state = kb.reload(force=True)
    for problem in state.problems:
        print(f"skipped: {problem}", file=sys.stderr)
    print(f"index {state.version}: {len(state.documents)} documents, {kb.passage_count} passages")
    return 0


def cmd_db(args, settings: Settings) -> int:
    import asyncio

    from storage.migrate import upgrade

    asyncio.run(upgrade(settings.database.effective_url))
    print("database schema is up to date")
    return 0


def cmd_db_backup(args, settings: Settings) -> int:
    from storage.backup import BackupError, backup

    try:
        backup(settings.database.effective_url, args.file)
    except BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"database backed up to {args.file}")
    return 0


def cmd_db_restore(args, settings: Settings) -> int:
    from storage.backup import BackupError, restore

    try:
        restore(settings.database.effective_url, args.file)
    except BackupError as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return 1
    print(f"database restored from {args.file}")
    return 0


def cmd_run(args, settings: Settings) -> int:
    from bot.runner import main as run

    return run(settings)


def cmd_web(args, settings: Settings) -> int:
    from bot.runner import serve_console

    return serve_console(settings)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="扶贫政策问答与诉求受理机器人"
    )
    sub = parser.add_subparsers(dest="command")
    ask = sub.add_parser("ask", help="answer questions (one JSON object per line with --jsonl)")
    ask.add_argument("--jsonl", action="store_true")
    ask.add_argument("--region", default=None)
    ask.add_argument("question", nargs="*")
    ask.set_defaults(func=cmd_ask)
    route = sub.add_parser(
        "route", help="route complaints to units (one JSON object per line with --jsonl)"
    )
    route.add_argument("--jsonl", action="store_true")
    route.add_argument("--region", default=None)
    route.add_argument("text", nargs="*")
    route.set_defaults(func=cmd_route)
    reindex = sub.add_parser("reindex", help="rebuild the search index from the corpus")
    reindex.set_defaults(func=cmd_reindex)
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending schema migrations").set_defaults(func=cmd_db)
    db_backup = db_sub.add_parser("backup", help="write a consistent copy of the database to FILE")
    db_backup.add_argument("file", type=Path)
    db_backup.set_defaults(func=cmd_db_backup)
    db_restore = db_sub.add_parser(
        "restore", help="replace the database with the backup in FILE (bot stopped)"
    )
    db_restore.add_argument("file", type=Path)
    db_restore.set_defaults(func=cmd_db_restore)
    web = sub.add_parser("web", help="serve the staff web console alone (WEB_HOST, WEB_PORT)")
    web.set_defaults(func=cmd_web)
    run = sub.add_parser("run", help="run the bot (the default)")
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    settings = Settings.load()
    configure_logging(settings.log_level)
    args = build_parser().parse_args(argv)
    func = getattr(args, "func", cmd_run)
    return func(args, settings)
