"""Masking what staff must not read: the filer's name and phone, and numbers in complaint text.

The person complained about may sit next to the staff member reading the case, so staff
views show 张** and 138****5678, and phone, ID and bank-card numbers a resident typed into
the description are masked too. Residents type numbers every way: grouped by spaces,
dashes, dots, commas or parentheses, with +86, in full-width digits; all of those are found.
"""

from __future__ import annotations

import re

# Full-width digits and separators, mapped one to one so that positions in the text stay put.
_HALF_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ＋－（）．\u3000", "0123456789Xx+-(). ")

# A number as people write it: digit groups joined by at most three separator characters each (spaces,
# dashes, dots, commas, 、, slashes, parentheses; " - " too), an optional opening parenthesis and a final
# X for ID numbers. Each found number is judged by its digits alone, so every way of grouping
# the same digits is masked the same way.
_SEPARATORS_TEXT = " \t-.·,，、/()"
_SEPARATORS = re.escape(_SEPARATORS_TEXT)
_NUMBER = re.compile(
    r"(?<![0-9])[+(]?[0-9](?:["
    + _SEPARATORS
    + r"]{0,3}[0-9])*(?:["
    + _SEPARATORS
    + r"]{0,3}[Xx])?(?![0-9])"
)
# Tickets (FP20261123-000001) are not personal data and staff need them.
_TICKET = re.compile(r"FP[0-9]{8}-?[0-9]{6,9}", re.IGNORECASE)
_ID_18 = re.compile(r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{5}[0-9Xx]")
_ID_15 = re.compile(r"[1-9][0-9]{7}(?:0[1-9]|1[0-2])[0-9]{5}")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
MIN_MASKED_DIGITS = 10  # shorter numbers are amounts, dates, house numbers


def _digits(text: str) -> str:
    return "".join(ch for ch in text.translate(_HALF_WIDTH) if ch in "0123456789Xx")


def _national(digits: str) -> str:
    """The number without a +86 / 0086 / 86 country code in front of a mobile."""
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and _MOBILE.fullmatch(digits[len(prefix) :]):
            return digits[len(prefix) :]
    return digits


def mask_phone(phone: str) -> str:
    """138****5678 for a mobile; a landline or anything else keeps only its last four digits."""
    digits = _national(_digits(phone))
    if _MOBILE.fullmatch(digits):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def _masked_number(digits: str) -> str | None:
    """How a number with these digits is shown to staff; None when it is not personal data."""
    national = _national(digits)
    if _ID_18.fullmatch(digits) or _ID_15.fullmatch(digits):
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if "X" in digits.upper():
        return None
    if _MOBILE.fullmatch(national):
        return f"{national[:3]}****{national[-4:]}"
    if digits.startswith("0") and 10 <= len(digits) <= 12:  # a landline with its area code
        area = 3 if digits[1] in "12" else 4  # 010, 02x; every other area code has four digits
        return f"{digits[:area]}-****{digits[-4:]}"
    if len(digits) >= MIN_MASKED_DIGITS:
        return "*" * (len(digits) - 4) + digits[-4:]
    return None


def mask_text(text: str) -> str:
    """`text` with every phone, ID and bank-card-like number masked; everything else unchanged."""
    plain = _TICKET.sub(lambda ticket: "#" * len(ticket.group(0)), text.translate(_HALF_WIDTH))
    out, last = [], 0
    for match in _NUMBER.finditer(plain):
        start, end = match.span()
        found = match.group(0)
        if found[-1] in "Xx" and not (
            _ID_18.fullmatch(_digits(found)) or _ID_15.fullmatch(_digits(found))
        ):
            found = found[:-1].rstrip(_SEPARATORS_TEXT)
            end = start + len(found)
        if (
            found.startswith("(") and ")" not in found
        ):  # "（13812345678）": keep the resident's parenthesis
            found, start = found[1:], start + 1
        masked = _masked_number(_digits(found))
        if masked is None:
            continue
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
