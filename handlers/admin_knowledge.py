"""Admins keep the knowledge current from Telegram: /reload, /docs, /remove, and sending a file.

A rebuild runs in a worker thread as a background task: the admin hears "正在重建" at once,
residents keep getting answers from the old index until the new one is swapped in, and the
admin gets a report (documents, passages, unreadable files, a self-check) at the end. One
rebuild at a time; a failed one keeps the old index and says why. A file that gives no
policy text is refused and not kept. Shipped plans cannot be removed from Telegram: they
also feed complaint routing, so retiring one is a deployment change (CORPUS_DIR).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from cases.times import china_time
from handlers import admin_texts as texts
from handlers.access import STAFF_GROUP, refuse
from handlers.formatting import escape, pack_lines, parse_number
from handlers.presses import answer_press
from handlers.updates import (
    chat_of,
    document_of,
    message_of,
    query_data,
    query_of,
    user_data,
    user_of,
)
from knowledge import upkeep
from knowledge.reader_texts import read_problem
from knowledge.readers import SUFFIXES, UnreadableDocument
from knowledge.upkeep import RegionProblem, RegionRefusal

if TYPE_CHECKING:
    from cases.service import CaseService
    from knowledge.service import KnowledgeBase

log = logging.getLogger(__name__)

# The Bot API lets bots download files up to 20 MB; larger ones cannot be fetched at all.
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
PENDING_KEY = "kb_upload"
CALLBACK_PREFIX = "kd:"


class KnowledgeAdmin:
    def __init__(self, kb: KnowledgeBase, service: CaseService) -> None:
        self.kb = kb
        self.access = service.access
        self.clock = service.now
        self.rebuilding = False

    async def _admin(self, user_id: int) -> bool:
        return (await self.access.of(user_id)).is_admin

    async def _refuse_unless_admin(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, action: str
    ) -> bool:
        if await self._admin(user_of(update).id):
            return True
        await refuse(update, context, action, "not an admin")
        return False

    @staticmethod
    async def _say(
        bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)

    # -------------------------------------------------------------- rebuilding in the background

    def _start(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        update: Update,
        work: Callable[[], Coroutine[Any, Any, object]],
    ) -> bool:
        """Run `work` as the one rebuild in progress; False when another is running."""
        if self.rebuilding:
            return False
        self.rebuilding = True

        async def run() -> None:
            try:
                await work()
            finally:
                self.rebuilding = False

        context.application.create_task(run(), update=update)
        return True

    async def _report(self, bot: Bot, chat_id: int, state: Any, head: str = "") -> None:
        """Documents and passages loaded, unreadable files, and the self-check."""
        report = await asyncio.to_thread(upkeep.rebuild_report, self.kb, state)
        lines = [head] if head else []
        lines.append(texts.RELOAD_DONE.format(documents=report.documents, passages=report.passages))
        if report.problems:
            lines.append(texts.PROBLEMS_HEADER)
            lines += [
                texts.PROBLEM_ITEM.format(name=escape(name), reason=reason)
                for name, reason in report.problems
            ]
        lines.append(texts.SELF_CHECK_HEADER)
        lines += [
            texts.SELF_CHECK_MISSED.format(question=escape(question))
            if title is None
            else texts.SELF_CHECK_OK.format(question=escape(question), title=escape(title))
            for question, title in report.checks
        ]
        for message in pack_lines(lines[0], lines[1:]):
            await self._say(bot, chat_id, message)

    async def _rebuild(
        self,
        bot: Bot,
        chat_id: int,
        job: Callable[[], Any],
        head: Callable[[Any], str],
        upload: str = "",
    ) -> bool:
        """Run `job` (which rebuilds and returns (result, state)) in a thread and report;
        True when the new index is in use."""
        try:
            result, state = await asyncio.to_thread(job)
        except UnreadableDocument as problem:
            log.info("unreadable upload %s: %s", upload, problem.reason)
            await self._say(
                bot,
                chat_id,
                texts.DOC_REJECTED.format(name=escape(upload), reason=read_problem(problem.reason)),
            )
            return False
        except Exception as exc:  # any failure keeps the old index; the admin hears why
            log.exception("knowledge rebuild failed")
            await self._say(
                bot, chat_id, texts.RELOAD_FAILED.format(reason=upkeep.rebuild_failure(exc))
            )
            return False
        await self._report(bot, chat_id, state, head(result))
        return True

    async def reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self._refuse_unless_admin(update, context, "reload"):
            return
        chat_id, bot = chat_of(update).id, context.bot

        def job() -> tuple[None, Any]:
            return None, self.kb.reload(force=True)

        if not self._start(context, update, lambda: self._rebuild(bot, chat_id, job, lambda _: "")):
            await self._say(bot, chat_id, texts.RELOAD_BUSY)
            return
        log.info("admin %s started a knowledge rebuild", user_of(update).id)
        await self._say(bot, chat_id, texts.RELOAD_STARTED)

    # -------------------------------------------------------------- listing and removing

    async def docs(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self._refuse_unless_admin(update, context, "docs"):
            return
        items = []
        for listed in upkeep.listing(self.kb):
            doc, entry = listed.document, listed.entry
            origin = (
                texts.DOCS_SHIPPED
                if entry is None
                else texts.DOCS_ADDED.format(
                    when=china_time(entry.added, "—"),
                    by=entry.added_by if entry.added_by is not None else "—",
                )
            )
            if not listed.loaded:
                origin += " · " + texts.DOCS_UNREADABLE
            level = f"（{doc.level}级）" if doc.level else ""
            items.append(
                texts.DOCS_ITEM.format(
                    id=escape(doc.id),
                    title=escape(doc.title),
                    region=escape(doc.region),
                    level=escape(level),
                    passages=listed.passages,
                    origin=origin,
                )
            )
        for message in pack_lines(
            texts.DOCS_HEADER.format(count=len(items)), [*items, texts.DOCS_FOOTER]
        ):
            await self._say(context.bot, chat_of(update).id, message)

    async def remove(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await self._refuse_unless_admin(update, context, "remove"):
            return
        chat_id, bot = chat_of(update).id, context.bot
        args = list(context.args or [])
        if len(args) != 1:
            await self._say(bot, chat_id, texts.REMOVE_USAGE)
            return
        doc_id = args[0].strip().upper()
        entry = self.kb.library.get(doc_id)
        if entry is None:
            shipped = next((d for d in self.kb.documents if d.id == args[0].strip()), None)
            await self._say(
                bot,
                chat_id,
                texts.REMOVE_SHIPPED.format(id=escape(shipped.id), title=escape(shipped.title))
                if shipped
                else texts.REMOVE_UNKNOWN.format(value=escape(args[0][:30])),
            )
            return
        title = escape(entry.document.title)

        def job() -> Any:
            removed = self.kb.remove_document(doc_id)
            if removed is None:  # removed meanwhile by another admin: report the index as it is
                return None, self.kb.state
            return removed

        if not self._start(
            context,
            update,
            lambda: self._rebuild(
                bot, chat_id, job, lambda _: texts.REMOVED.format(id=escape(doc_id), title=title)
            ),
        ):
            await self._say(bot, chat_id, texts.RELOAD_BUSY)
            return
        log.info("admin %s removes document %s", user_of(update).id, doc_id)
        await self._say(bot, chat_id, texts.REMOVING.format(id=escape(doc_id), title=title))

    # -------------------------------------------------------------- adding a document

    async def document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An admin's file goes to the knowledge base; anyone else's goes on to the residents'
        handlers. Images are left to the complaint intake (evidence photos sent as files)."""
        document = document_of(update)
        if (document.mime_type or "").startswith("image/") or not await self._admin(
            user_of(update).id
        ):
            return
        name = Path(document.file_name or "").name or "文件"
        chat_id, bot = chat_of(update).id, context.bot
        chain = upkeep.admin_region(self.kb, message_of(update).caption or "")
        if Path(name).suffix.lower() not in SUFFIXES:
            await self._say(bot, chat_id, texts.DOC_UNSUPPORTED.format(name=escape(name)))
        elif document.file_size and document.file_size > MAX_DOCUMENT_BYTES:
            await self._say(
                bot,
                chat_id,
                texts.DOC_TOO_LARGE.format(
                    size=f"{document.file_size / 2**20:.1f}", limit=MAX_DOCUMENT_BYTES // 2**20
                ),
            )
        elif isinstance(chain, RegionProblem) and chain.kind is RegionRefusal.NONE:
            regions = self.kb.known_regions()
            # Numbered, so that the buttons under an earlier file never choose for a later one.
            seq = (user_data(context).get(PENDING_KEY) or {}).get("seq", 0) + 1
            user_data(context)[PENDING_KEY] = {
                "file_id": document.file_id,
                "name": name,
                "regions": regions,
                "seq": seq,
            }
            buttons = [
                InlineKeyboardButton(r, callback_data=f"{CALLBACK_PREFIX}{seq}:{i}")
                for i, r in enumerate(regions)
            ]
            rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
            rows.append(
                [
                    InlineKeyboardButton(
                        texts.BUTTON_CANCEL, callback_data=f"{CALLBACK_PREFIX}{seq}:no"
                    )
                ]
            )
            await self._say(
                bot,
                chat_id,
                texts.DOC_ASK_REGION.format(name=escape(name)),
                InlineKeyboardMarkup(rows),
            )
        elif isinstance(chain, RegionProblem):
            await self._say(bot, chat_id, self._region_refused(chain))
        else:
            await self._add(update, context, document.file_id, name, chain)
        raise ApplicationHandlerStop

    def _region_refused(self, problem: RegionProblem) -> str:
        if problem.kind is RegionRefusal.BAD:
            return texts.DOC_BAD_REGION.format(
                region=escape(problem.said), limit=upkeep.MAX_REGION_CHARS
            )
        return texts.DOC_UNKNOWN_REGION.format(
            region=escape(problem.said), regions=escape("、".join(self.kb.known_regions()))
        )

    async def choose_region(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The region button under a file sent without a caption (or 取消)."""
        query = query_of(update)
        if not await self._admin(user_of(update).id):
            await refuse(update, context, "add document", "not an admin")
            return
        pending = user_data(context).get(PENDING_KEY) or {}
        seq, choice = (
            parse_number(part)
            for part in query_data(update).removeprefix(CALLBACK_PREFIX).split(":")
        )
        if (
            pending.get("file_id") is None
            or seq != pending["seq"]
            or (choice is not None and choice >= len(pending["regions"]))
        ):
            await answer_press(update, texts.DOC_CHOICE_EXPIRED, alert=True)
            return
        user_data(context)[PENDING_KEY] = {"seq": pending["seq"]}
        await answer_press(update)
        if choice is None:  # 取消 ("no")
            await query.edit_message_text(texts.DOC_CANCELLED, parse_mode=ParseMode.HTML)
            return
        chain = self.kb.region_chain(pending["regions"][choice], places=True)
        if chain is None:  # the region's last document was removed since the buttons were shown
            await query.edit_message_text(texts.DOC_CHOICE_EXPIRED, parse_mode=ParseMode.HTML)
            return
        await query.edit_message_reply_markup(None)
        await self._add(update, context, pending["file_id"], pending["name"], chain)

    async def _add(
        self,
        update: Update,
        context: ContextTypes.DEFAULT_TYPE,
        file_id: str,
        name: str,
        chain: tuple[str, ...],
    ) -> None:
        chat_id, bot, admin = chat_of(update).id, context.bot, user_of(update).id

        async def work() -> None:
            with tempfile.TemporaryDirectory() as scratch:
                path = Path(scratch) / f"upload{Path(name).suffix.lower()}"
                try:
                    await (await bot.get_file(file_id)).download_to_drive(path)
                except (TelegramError, OSError) as exc:
                    log.warning("could not download %s from admin %s: %s", name, admin, exc)
                    await self._say(bot, chat_id, texts.DOC_DOWNLOAD_FAILED)
                    return

                def job() -> Any:
                    return self.kb.add_document(
                        path,
                        original_name=name,
                        region=chain[0],
                        parents=chain[1:],
                        added_by=admin,
                        added_at=self.clock().isoformat(),
                    )

                def head(entry: Any) -> str:
                    return texts.DOC_ADDED.format(
                        id=escape(entry.document.id),
                        title=escape(entry.document.title),
                        region=escape(entry.document.region),
                        passages=self.kb.state.passage_counts()[entry.document.id],
                    )

                if await self._rebuild(bot, chat_id, job, head, upload=name):
                    log.info("admin %s added document %s for %s", admin, name, chain[0])

        if not self._start(context, update, work):
            await self._say(bot, chat_id, texts.RELOAD_BUSY)
            return
        await self._say(
            bot, chat_id, texts.DOC_RECEIVED.format(name=escape(name), region=escape(chain[0]))
        )


def register(
    application: Application[Any, Any, Any, Any, Any, Any], kb: KnowledgeBase, service: CaseService
) -> None:
    private = filters.ChatType.PRIVATE
    admin = KnowledgeAdmin(kb, service)
    application.add_handlers(
        [
            CommandHandler("reload", admin.reload, private),
            CommandHandler("docs", admin.docs, private),
            CommandHandler("remove", admin.remove, private),
            CallbackQueryHandler(
                admin.choose_region, pattern=rf"^{CALLBACK_PREFIX}[0-9]+:([0-9]+|no)$"
            ),
        ]
    )
    application.add_handler(
        MessageHandler(private & filters.Document.ALL, admin.document), group=STAFF_GROUP
    )
