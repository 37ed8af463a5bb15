"""How admins keep the knowledge base current, the same from Telegram and from the web console.

Both front ends list the documents, read an admin's words as a new document's region, end a
rebuild with a report and a self-check, and explain a failed rebuild, through these functions;
each only renders the result in its own words and markup.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from knowledge import upkeep_texts as t
from knowledge.library import LibraryEntry
from knowledge.models import DocumentInfo
from knowledge.reader_texts import read_problem
from knowledge.service import NoPolicyText

if TYPE_CHECKING:
    from knowledge.service import KnowledgeBase, _State

# Questions every corpus should answer; a ❌ after a rebuild means something went missing.
SELF_CHECK = ("看病能报销多少", "危房改造补助", "孩子上学有什么补助")
# A region is a name and up to five regions above it (镇头镇 浏阳市 长沙市 湖南省), each short.
MAX_REGION_CHARS = 30
MAX_REGION_WORDS = 6
_REGION_SPLIT = re.compile(r"[\s、，,/／>›]+")
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
_DISK_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}


@dataclass(frozen=True)
class Listed:
    """A document as the admins' list shows it; `entry` is None for a shipped plan."""

    document: DocumentInfo
    entry: LibraryEntry | None
    passages: int
    loaded: bool


def listing(kb: KnowledgeBase) -> list[Listed]:
    """The documents in the index, then added ones that could not be read (still kept)."""
    state = kb.state
    counts = state.passage_counts()
    added = {e.document.id: e for e in kb.library.entries()}
    loaded = {d.id for d in state.documents}
    unread = [e.document for i, e in added.items() if i not in loaded]
    return [
        Listed(doc, added.get(doc.id), counts.get(doc.id, 0), doc.id in loaded)
        for doc in [*state.documents, *unread]
    ]


class RegionRefusal(Enum):
    NONE = "none"  # no words at all
    BAD = "bad"  # too many words, or one too long to be a region's name
    UNKNOWN = "unknown"  # one name no document covers, and no regions above it given


@dataclass(frozen=True)
class RegionProblem:
    kind: RegionRefusal
    said: str  # what the admin wrote, cut short, to quote back


def admin_region(kb: KnowledgeBase, text: str) -> tuple[str, ...] | RegionProblem:
    """The region chain an admin's words name for a new document, or why they name none.

    A known region (or a town of one) brings its parents; a new region needs them written
    after it: 闽侯县 福州市 福建省.
    """
    words = [w for w in _REGION_SPLIT.split(text) if w]
    if not words:
        return RegionProblem(RegionRefusal.NONE, "")
    if len(words) > MAX_REGION_WORDS or any(len(w) > MAX_REGION_CHARS for w in words):
        return RegionProblem(RegionRefusal.BAD, " ".join(words)[:40])
    chain = kb.region_chain(words[0], places=True)
    if chain is not None:
        return chain
    if len(words) > 1:
        return tuple(words)
    return RegionProblem(RegionRefusal.UNKNOWN, words[0])


@dataclass(frozen=True)
class Report:
    """What a rebuild loaded, which files it could not read (name, why in an admin's words),
    and the self-check: each question with the title that answered it, or None."""

    documents: int
    passages: int
    problems: list[tuple[str, str]]
    checks: list[tuple[str, str | None]]


def rebuild_report(kb: KnowledgeBase, state: _State) -> Report:
    """The report after a rebuild; asks the self-check questions, so run it off the event loop."""
    problems = []
    for problem in state.problems:
        name, _, reason = problem.partition(": ")
        problems.append((name, read_problem(reason)))
    checks = []
    for question in SELF_CHECK:
        answer = kb.ask(question)
        checks.append((question, None if answer.abstained else answer.hits[0].passage.title))
    return Report(len(state.documents), state.passage_count, problems, checks)


def rebuild_failure(exc: BaseException) -> str:
    """Why a rebuild failed, as a county admin can act on it: no paths, no program details
    (those go to the log)."""
    if isinstance(exc, NoPolicyText):
        return t.FAILURE_NO_DOCUMENTS
    if isinstance(exc, OSError):
        if exc.errno in _DISK_FULL:
            return t.FAILURE_DISK_FULL
        if exc.errno in _DISK_DENIED:
            return t.FAILURE_DISK_DENIED
        return t.FAILURE_DISK
    return t.FAILURE_OTHER
