"""Long replies are cut into messages Telegram accepts, at sentence ends, with nothing lost."""

from __future__ import annotations

import pytest

from handlers.formatting import (
    TELEGRAM_LIMIT,
    clean_input,
    html_messages,
    parse_number,
    split_text,
    utf16_len,
)
from standin import parse_telegram_html


def test_short_text_is_one_piece():
    assert split_text("看病能报销多少？") == ["看病能报销多少？"]
    assert split_text("   ") == []


def test_long_text_splits_at_sentence_ends_and_keeps_every_character():
    sentence = "对建档立卡贫困户给予每户每年500元补助。"
    text = sentence * 400  # about 8,400 characters
    pieces = split_text(text, 4000)
    assert len(pieces) == 3
    assert all(utf16_len(p) <= 4000 for p in pieces)
    assert all(p.endswith("。") for p in pieces)
    assert "".join(pieces) == text


def test_a_sentence_longer_than_the_limit_is_cut_hard():
    text = "字" * 9000
    pieces = split_text(text, 4000)
    assert [len(p) for p in pieces] == [4000, 4000, 1000]


def test_limit_counts_utf16_units_so_emoji_never_overflow():
    text = "😀" * 5000
    pieces = split_text(text, 4096)
    assert all(utf16_len(p) <= 4096 for p in pieces)
    assert "".join(pieces) == text


def test_english_sentences_split_after_full_stops():
    text = "This is a sentence. " * 400
    pieces = split_text(text, 1000)
    assert all(p.endswith(".") for p in pieces)


def test_html_messages_escape_and_stay_within_telegram_limits():
    body = "<b>不是标签</b> & 5 < 6。" * 600
    messages = html_messages(body, header_html="<b>《标题》</b>\n", header_plain_len=6)
    assert len(messages) > 1
    visible = [parse_telegram_html(m) for m in messages]  # raises if Telegram would refuse it
    assert all(0 < utf16_len(v) <= TELEGRAM_LIMIT for v in visible)
    assert visible[0].startswith("《标题》\n<b>不是标签</b>")
    assert "".join(visible).replace("《标题》\n", "", 1) == body.strip()


def test_clean_input_drops_control_characters_but_keeps_words():
    assert clean_input("\x00低\x1b保\u202e\u200b 多少\t钱\n") == "低 保 多少 钱"
    assert clean_input("\u200b\u200b") == ""


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        ("²", None),
        ("①", None),
        ("٣", None),
        ("０", None),
        ("-1", None),
        ("1.5", None),
        ("", None),
        (None, None),
        (" 1", None),
        ("1" * 19, None),
    ],
)
def test_parse_number_reads_ascii_digits_only(text, number):
    assert parse_number(text) == number
