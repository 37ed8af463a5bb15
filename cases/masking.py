"""Masking what staff must not read: the filer's name and phone, and numbers in complaint text.

The person complained about may sit next to the staff member reading the case, so staff
views show 张** and 138****5678, and phone, ID and bank-card numbers a resident typed into
the description are masked too. Residents type numbers every way: with spaces or dashes,
with +86, in full-width digits; all of those are found.
"""

from __future__ import annotations

import re

# Full-width digits and separators, mapped one to one so that positions in the text stay put.
_HALF_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－（）\u3000", "0123456789Xx+-() ")
_SEP = r"[ \-]?"
_NOT_DIGIT_BEFORE = r"(?<![0-9])"
_NOT_DIGIT_AFTER = r"(?![0-9])"

# Order matters: the longest, most specific shapes first, so an ID number is not taken for a phone.
_ID_18 = re.compile(_NOT_DIGIT_BEFORE + r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx]" + r"(?![0-9A-Za-z])")
_ID_15 = re.compile(_NOT_DIGIT_BEFORE + r"[1-9]\d{7}(?:0[1-9]|1[0-2])\d{5}" + _NOT_DIGIT_AFTER)
_CARD = re.compile(_NOT_DIGIT_BEFORE + r"\d{4}(?:" + _SEP + r"\d{4}){3}(?:" + _SEP + r"\d{1,3})?" + _NOT_DIGIT_AFTER)
_MOBILE = re.compile(r"(?<![0-9+])(?:(?:\+|00)?86" + _SEP + r")?1[3-9]\d(?:" + _SEP + r"\d){8}" + _NOT_DIGIT_AFTER)
_LANDLINE = re.compile(_NOT_DIGIT_BEFORE + r"(?:\(0\d{2,3}\)|0\d{2,3})" + _SEP + r"[1-9]\d{2,3}" + _SEP
                       + r"\d{4}" + _NOT_DIGIT_AFTER)
_LONG_DIGITS = re.compile(_NOT_DIGIT_BEFORE + r"\d{10,}" + _NOT_DIGIT_AFTER)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch in "Xx")


def mask_phone(phone: str) -> str:
    """138****5678 for a mobile; a landline or anything else keeps only its last four digits."""
    digits = _digits(phone.translate(_HALF_WIDTH))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def _mask_id(digits: str) -> str:
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _mask_card(digits: str) -> str:
    return "*" * (len(digits) - 4) + digits[-4:]


def _mask_landline(text: str) -> str:
    digits = _digits(text)
    area = 3 if digits[1] in "12" else 4  # 010, 02x; every other area code has four digits
    return f"{digits[:area]}-****{digits[-4:]}"


_RULES = (
    (_ID_18, lambda found: _mask_id(_digits(found))),
    (_ID_15, lambda found: _mask_id(_digits(found))),
    (_CARD, lambda found: _mask_card(_digits(found))),
    (_MOBILE, mask_phone),
    (_LANDLINE, _mask_landline),
    (_LONG_DIGITS, _mask_card),
)


def mask_text(text: str) -> str:
    """`text` with every phone, ID and bank-card-like number masked; everything else unchanged."""
    plain = text.translate(_HALF_WIDTH)
    spans: list[tuple[int, int, str]] = []
    for pattern, mask in _RULES:
        for match in pattern.finditer(plain):
            start, end = match.span()
            if any(start < e and s < end for s, e, _ in spans):
                continue
            spans.append((start, end, mask(match.group(0))))
    out, last = [], 0
    for start, end, masked in sorted(spans):
        out.append(text[last:start])
        out.append(masked)
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_name(name: str) -> str:
    """张** for 张大山: the family name stays so staff can address the filer politely."""
    name = name.strip()
    if len(name) <= 1:
        return "*" if name else ""
    return name[0] + "*" * (len(name) - 1)
