"""Cut sections into passages a resident can read in a chat.

A passage is at most about 500 characters, ends on a sentence boundary where it can, and
is never cut inside a number (a cut between 9. and 6公里 would state the wrong figure).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from knowledge.models import Clause, DocumentInfo, Passage, Section, ordered_union

MAX_CHARS = 500
# How far from a passage its section's unit list may stand (sections are a few passages long).
SECTION_SPAN = 4
# A sentence ends at 。！？ (and ； inside long enumerations), with any closing quotes.
SENTENCE = re.compile(r"[^。！？!?；;]*(?:[。！？!?；;]+[”’」』\"')）]*|$)")
CLAUSE_BREAK = "，,、：:"


def sentences(text: str) -> list[str]:
    """Split text into sentences, keeping every character."""
    return [s for s in SENTENCE.findall(text) if s]


def _safe_cut(text: str, limit: int) -> int:
    """A cut point ≤ limit that does not split a number like 9.6, 1,000 or 30%."""
    cut = limit
    while 0 < cut < len(text) and _inside_number(text, cut):
        cut -= 1
    return cut if cut > 0 else limit


def _inside_number(text: str, i: int) -> bool:
    before, after = text[i - 1], text[i]
    numeric = "0123456789.．,，%％"
    if (before.isdigit() or before in ".．") and (after.isdigit() or after in numeric):
        return True
    return before == "," and after.isdigit() and i >= 2 and text[i - 2].isdigit()  # 1,|000


def _clause_cut(text: str, limit: int) -> int:
    """Just after the last comma-like break ≤ limit, skipping thousands separators (1,000)."""
    for i in range(min(limit, len(text)) - 1, -1, -1):
        separator = 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
        if text[i] in CLAUSE_BREAK and not separator:
            return i + 1
    return 0


def _pieces(sentence: str, limit: int) -> list[str]:
    """A sentence longer than a passage is split at commas, and only then anywhere safe."""
    if len(sentence) <= limit:
        return [sentence]
    out = []
    rest = sentence
    while len(rest) > limit:
        cut = _clause_cut(rest, limit)
        if cut <= limit // 3:
            cut = _safe_cut(rest, limit)
        out.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        out.append(rest)
    return out


def _units_of(clauses: list[Clause]) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """The clauses' lead and responsible units, and their brackets as the plan writes them."""
    brackets = dict.fromkeys(c.units_text for c in clauses if c.units_text)
    return (
        ordered_union(c.lead_units for c in clauses),
        ordered_union(c.responsible_units for c in clauses),
        "".join(brackets),
    )


def split_section(section: Section, limit: int = MAX_CHARS) -> list[tuple[str, list[Clause]]]:
    """Pack a section's sentences into chunks ≤ limit; each chunk knows its clauses."""
    chunks: list[tuple[str, list[Clause]]] = []
    text = ""
    clauses: list[Clause] = []
    for paragraph in section.paragraphs:
        if text:
            text += "\n"
        for clause in paragraph:
            for sentence in sentences(clause.text):
                for piece in _pieces(sentence, limit):
                    if text.strip() and len(text) + len(piece) > limit:
                        chunks.append((text.strip(), clauses))
                        text, clauses = "", []
                    text += piece
                    if clause not in clauses:
                        clauses.append(clause)
    if text.strip():
        chunks.append((text.strip(), clauses))
    return chunks


def passage_id(doc_id: str, number: int) -> str:
    """Passages are numbered in document order, so a section's passages have adjacent ids."""
    return f"{doc_id}-{number:04d}"


def neighbour_ids(pid: str, span: int) -> list[str]:
    """The ids of the passages up to `span` places after, then before, `pid` in its document."""
    doc_id, _, number = pid.rpartition("-")
    if not number.isdigit():
        return []
    n = int(number)
    after = [passage_id(doc_id, n + k) for k in range(1, span + 1)]
    before = [passage_id(doc_id, n - k) for k in range(1, span + 1) if n - k >= 0]
    return after + before


def section_units(
    passage: Passage, lookup: Callable[[str], Passage | None], span: int = SECTION_SPAN
) -> Passage:
    """The passage if it carries units, else the nearest one of its section that does (the
    plan's list of responsible units follows the measures it covers); itself when none does."""
    if passage.has_units:
        return passage
    for pid in neighbour_ids(passage.id, span):
        other = lookup(pid)
        if (
            other is not None
            and other.heading_path == passage.heading_path
            and other.doc_id == passage.doc_id
            and other.has_units
        ):
            return other
    return passage


def with_units(passage: Passage, limit: int = MAX_CHARS) -> Passage:
    """The passage as shown to a resident who asks who handles it: the plan's own list of the
    units responsible (verbatim) before the measure, within the passage size."""
    if not passage.units_text:
        return passage
    head = passage.units_text + "\n"
    text = head
    for sentence in sentences(passage.text):
        if len(text) + len(sentence) > limit:
            if text == head:  # one long sentence: as much of it as fits, no figure cut
                text += sentence[: _safe_cut(sentence, limit - len(text) - 1)] + "…"
            break
        text += sentence
    return replace(passage, text=text.strip())


def make_passages(doc: DocumentInfo, sections: list[Section]) -> list[Passage]:
    passages: list[Passage] = []
    for section in sections:
        for text, clauses in split_section(section):
            lead, responsible, units_text = _units_of(clauses)
            passages.append(
                Passage(
                    id=passage_id(doc.id, len(passages)),
                    doc_id=doc.id,
                    heading_path=section.heading_path,
                    text=text,
                    title=doc.title,
                    region=doc.region,
                    issuer=doc.issuer,
                    date=doc.date,
                    lead_units=lead,
                    responsible_units=responsible,
                    units_text=units_text,
                )
            )
    return passages
