"""Turning plain text into Telegram HTML messages that Telegram will accept.

Telegram refuses a message whose visible text exceeds 4,096 UTF-16 code units, and refuses
HTML with a stray `<` or `&`. Everything user- or document-derived is therefore escaped here,
and long text is cut into several messages at sentence ends.
"""

from __future__ import annotations

import html
import re
import unicodedata

TELEGRAM_LIMIT = 4096
# Headroom below Telegram's limit, so a header or a note can be added to a chunk.
CHUNK_LIMIT = 3900

_ASCII_NUMBER = re.compile(r"[0-9]{1,18}")


def parse_number(text: str | None) -> int | None:
    """The non-negative integer `text` spells in ASCII digits, or None.

    Every number in a command or in callback data is read here: str.isdigit() accepts "²",
    "①" and other digits that int() refuses, and \\d in a pattern accepts "٣"; a forged button
    or a typo must get a polite answer, never an exception.
    """
    return int(text) if text is not None and _ASCII_NUMBER.fullmatch(text) else None


def pack_lines(header: str, lines: list[str], budget: int = 3500) -> list[str]:
    """`header` and ready-made HTML `lines`, one per line, packed into as few messages as fit
    (a list of grants or documents; each line is short, so none is ever cut)."""
    messages, current = [], header
    for line in lines:
        if len(current) + len(line) + 1 > budget:
            messages.append(current)
            current = line
        else:
            current = f"{current}\n{line}"
    return [*messages, current]


_SENTENCE_END = re.compile(r"(?<=[。！？；!?;…\n])|(?<=\.)(?=\s)")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    """Escape for parse_mode=HTML (quotes too, so the text is also safe inside attributes)."""
    return html.escape(text, quote=True)


def clean_input(text: str) -> str:
    """Drop control and format characters a resident cannot have meant; keep line breaks."""
    kept = []
    for ch in text:
        if ch == "\n":
            kept.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            kept.append(" ")
        else:
            kept.append(ch)
    return re.sub(r"[ \t\u3000]+", " ", "".join(kept)).strip()


def split_text(text: str, limit: int = CHUNK_LIMIT, first_limit: int | None = None) -> list[str]:
    """Split plain text into pieces of at most `limit` UTF-16 units, at sentence ends if possible.

    The first piece may be given a smaller `first_limit` (room for a header). A single sentence
    longer than the limit is cut at the limit; no piece is empty, no character is lost.
    """
    first_limit = limit if first_limit is None else first_limit
    if min(limit, first_limit) < 2:
        raise ValueError("limit too small")
    text = text.strip()
    if utf16_len(text) <= first_limit:
        return [text] if text else []
    chunks: list[str] = []
    current = ""

    def room() -> int:
        return limit if chunks else first_limit

    for sentence in _SENTENCE_END.split(text):
        if not sentence:
            continue
        if utf16_len(current) + utf16_len(sentence) <= room():
            current += sentence
            continue
        if current.strip():
            chunks.append(current.strip())
        current = sentence
        while utf16_len(current) > room():
            head, current = _cut(current, room())
            if head.strip():
                chunks.append(head.strip())
    if current.strip():
        chunks.append(current.strip())
    return chunks


def _cut(piece: str, limit: int) -> tuple[str, str]:
    """The longest head of `piece` within `limit` UTF-16 units, and the rest."""
    size = 0
    for i, ch in enumerate(piece):
        size += utf16_len(ch)
        if size > limit:
            return piece[:i], piece[i:]
    return piece, ""


def html_messages(
    body: str,
    *,
    header_html: str = "",
    header_plain_len: int | None = None,
    limit: int = CHUNK_LIMIT,
) -> list[str]:
    """Escape plain `body` into one or more HTML messages; `header_html` (already safe) leads the first.

    `header_plain_len` is the header's visible length (defaults to its markup length, an upper bound).
    """
    header_len = header_plain_len if header_plain_len is not None else utf16_len(header_html)
    if header_len >= limit // 2:  # a header that big gets a message of its own
        return [header_html, *html_messages(body, limit=limit)]
    pieces = split_text(body, limit, first_limit=limit - header_len)
    if not pieces:
        return [header_html] if header_html.strip() else []
    return [header_html + escape(pieces[0]), *(escape(p) for p in pieces[1:])]
