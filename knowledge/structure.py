"""Recover a policy document's outline: headings, heading paths and unit lists.

Plans number their headings 一、 / (一) / （一） / 1. / （1）, sometimes with the numeral lost
in copying (``()指导思想``). A heading either stands on its own line or opens a paragraph
(``(四)深化教育扶贫。实施…``); some plans open unnumbered paragraphs with a short lead
sentence (``扎实推进产业扶贫行动。…``) that works as a sub-heading. Every paragraph is kept
under its heading path so that an answer can say where in the plan it comes from.
"""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.models import Clause, Section
from knowledge.units import find_unit_lists

CN_DIGITS = "一二三四五六七八九十"
# (level, pattern); the first group is the numeral, possibly empty when it was lost.
HEADINGS = (
    (1, re.compile(r"^([一二三四五六七八九十]{1,3})[、.．]")),
    (2, re.compile(r"^[(（]([一二三四五六七八九十]{0,3})[)）]")),
    (3, re.compile(r"^(\d{1,2})[.．、](?![\d%])")),
    (4, re.compile(r"^[(（](\d{1,2})[)）]")),
)
LEAD_LEVEL = 5
MAX_HEADING = 40
MAX_LEAD_SENTENCE = 20
SENTENCE_END = "。！？!?"


def chinese_numeral(n: int) -> str:
    """1..99 in the form headings use (十一, 二十)."""
    if n <= 10:
        return CN_DIGITS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens - 1]) + "十" + (CN_DIGITS[ones - 1] if ones else "")


def _numeral_value(numeral: str) -> int | None:
    if not numeral:
        return None
    if numeral.isdigit():
        return int(numeral)
    values = [CN_DIGITS.index(ch) + 1 for ch in numeral]
    if len(values) == 1:
        return values[0]
    if numeral[0] == "十":
        return 10 + (values[1] if len(values) > 1 else 0)
    return values[0] * 10 + (values[2] if len(values) > 2 else 0)


def _lead_sentence(line: str) -> str | None:
    """The first sentence of a paragraph when it is short enough to serve as its title."""
    for i, ch in enumerate(line[: MAX_HEADING + 1]):
        if ch in SENTENCE_END:
            return line[:i] if i else None
    return None


class _Outline:
    """Tracks the heading stack and repairs lost numerals by counting siblings."""

    def __init__(self) -> None:
        self.counters: dict[int, int] = {}
        self.stack: dict[int, str] = {}

    def heading(self, level: int, numeral: str, marker: str, rest: str) -> tuple[str, bool]:
        """Register a heading; returns (title, whether the line also carries body text)."""
        count = _numeral_value(numeral) or self.counters.get(level, 0) + 1
        self.counters = {k: v for k, v in self.counters.items() if k < level}
        self.counters[level] = count
        if not numeral:  # only the bracketed form can lose its numeral: ()指导思想
            marker = marker[0] + chinese_numeral(count) + marker[1:]
        standalone = len(rest) <= MAX_HEADING and not any(ch in rest[:-1] for ch in SENTENCE_END)
        if standalone:
            title = marker + rest.rstrip("。")
        else:
            title = marker + (_lead_sentence(rest) or rest[: MAX_HEADING // 2] + "…")
        self.stack = {k: v for k, v in self.stack.items() if k < level}
        self.stack[level] = title
        return title, not standalone

    def path(self) -> tuple[str, ...]:
        return tuple(self.stack[k] for k in sorted(self.stack))


def _clauses(paragraph: str) -> tuple[Clause, ...]:
    """Cut a paragraph at its unit lists; each clause carries the list that follows it."""
    clauses: list[Clause] = []
    pos = 0
    for found in find_unit_lists(paragraph):
        text = paragraph[pos : found.start]
        if text.strip() or clauses:
            units = paragraph[found.start : found.end]
            clauses.append(Clause(text, found.lead, found.responsible, units))
        pos = found.end
    tail = paragraph[pos:]
    if tail.strip() and tail.strip() != "。":
        clauses.append(Clause(tail))
    elif tail.strip() == "。" and clauses:
        last = clauses[-1]
        clauses[-1] = replace(last, text=last.text + "。")
    return tuple(c for c in clauses if c.text.strip())


def parse_sections(doc_id: str, text: str) -> list[Section]:
    """Split a cleaned document into sections, one per heading (or lead sentence)."""
    outline = _Outline()
    sections: list[Section] = []
    current: list[tuple[Clause, ...]] = []
    current_path: tuple[str, ...] = ()

    def flush() -> None:
        if current:
            sections.append(Section(doc_id, current_path, tuple(current)))
            current.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        for level, pattern in HEADINGS:
            match = pattern.match(line)
            if match:
                flush()
                marker = match.group(0)
                _, has_body = outline.heading(level, match.group(1), marker, line[len(marker) :])
                current_path = outline.path()
                if has_body:
                    current.append(_clauses(line))
                break
        else:
            lead = _lead_sentence(line)
            if (
                lead
                and len(lead) <= MAX_LEAD_SENTENCE
                and len(line) > 3 * MAX_LEAD_SENTENCE
                and outline.stack
            ):
                flush()
                current_path = (*outline.path(), lead)
                current.append(_clauses(line))
                flush()
                current_path = outline.path()
                continue
            clauses = _clauses(line)
            if clauses:
                current.append(clauses)
    flush()
    return sections
