"""Telegram-flavoured HTML as the Bot API checks it: which tags and attributes it accepts, the
visible text, and the message entities (UTF-16 offsets) it makes of them. A message the bot sends
with parse_mode=HTML that this refuses, Telegram would refuse too ("can't parse entities")."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

# Tags Telegram accepts in parse_mode=HTML, with the attributes each may carry.
_HTML_TAGS: dict[str, set[str]] = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
_ENTITY_RE = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


class EntityParseError(ValueError):
    """The HTML would be refused by Telegram ("can't parse entities")."""


_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


class _TelegramHTML(HTMLParser):
    """Validates Telegram-flavoured HTML; collects the visible text and its message entities."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None], int]] = []
        self.parts: list[str] = []
        self.length = 0  # visible text so far, in UTF-16 code units
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}"')
        for name, value in attrs:
            if name not in _HTML_TAGS[tag]:
                raise EntityParseError(f'Unsupported attribute "{name}" in tag "{tag}"')
            if tag == "span" and value != "tg-spoiler":
                raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        self.stack.append((tag, dict(attrs), self.length))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise EntityParseError(f'Unsupported start tag "{tag}/"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack:
            raise EntityParseError(f'Unexpected end tag "{tag}"')
        if self.stack[-1][0] != tag:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1][0]}"'
            )
        _, attrs, start = self.stack.pop()
        if tag == "code" and self.stack and self.stack[-1][0] == "pre":
            # <pre><code class="language-x"> is one pre entity with a language
            language = (attrs.get("class") or "").removeprefix("language-")
            if language:
                self.stack[-1][1]["language"] = language
            return
        if self.length == start:
            return
        entity: dict[str, Any] = {
            "type": _ENTITY_TYPES[tag],
            "offset": start,
            "length": self.length - start,
        }
        if tag == "a":
            entity["url"] = attrs.get("href") or ""
        elif tag == "pre" and attrs.get("language"):
            entity["language"] = attrs["language"]
        elif tag == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attrs.get("emoji-id") or ""
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += utf16_len(data)

    def handle_comment(self, data: str) -> None:
        raise EntityParseError("Unsupported comment")

    def handle_decl(self, decl: str) -> None:
        raise EntityParseError("Unsupported declaration")

    def handle_pi(self, data: str) -> None:
        raise EntityParseError("Unsupported processing instruction")

    def unknown_decl(self, data: str) -> None:
        raise EntityParseError("Unsupported declaration")


def parse_telegram_html_entities(markup: str) -> tuple[str, list[dict[str, Any]]]:
    """The visible text of `markup` and its entities, or EntityParseError as Telegram would refuse it."""
    for match in re.finditer(r"[<&]", markup):
        pos = match.start()
        if markup[pos] == "&":
            if not _ENTITY_RE.match(markup, pos):
                raise EntityParseError(
                    f"Unsupported entity at byte offset {len(markup[:pos].encode())}"
                )
        elif not re.match(r"</?[A-Za-z]", markup[pos : pos + 3]):
            raise EntityParseError(f'Unexpected "<" at byte offset {len(markup[:pos].encode())}')
    parser = _TelegramHTML()
    parser.feed(markup)
    if parser.rawdata:  # HTMLParser holds back an unterminated "<tag"
        raise EntityParseError("Unclosed start tag")
    parser.close()
    if parser.stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{parser.stack[-1][0]}"'
        )
    return "".join(parser.parts), sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))


def parse_telegram_html(markup: str) -> str:
    """The visible text of `markup`, or EntityParseError as Telegram would refuse it."""
    return parse_telegram_html_entities(markup)[0]
