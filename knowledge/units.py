"""Responsible-unit lists (牵头单位 / 责任单位) as the documents write them.

The documents attach a list of government units to the measure just stated, in several
bracket styles: ``[责任单位:…]``, ``(牵头单位:…;责任单位:…)``, ``（牵头单位：…，责任单位：…）``
and, in some plans, a bare trailing ``(区扶贫办、区财政局等,各镇、街道)``. These lists are
the routing knowledge, so they are parsed into structured data here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENERS = {"[": "]", "【": "】", "(": ")", "（": "）"}
LABEL = re.compile(r"(牵头单位|责任单位)\s*[:：]")
GROUP_SPLIT = re.compile(r"[,，;；]")
# What a government unit's name ends with; used to recognise unlabelled lists.
UNIT_SUFFIX = re.compile(
    r"(局|办|委|部|院|厅|会|联|社|行|司|中心|队|站|所|镇|街道|政府|小组|单位|公司|营业部|总社|监委|委员会)$"
)
# Township catch-alls that name no unit a complaint could be sent to, including the
# "X党委、政府" pairs of many places at once (深度贫困县党委、政府), which would otherwise
# split into a nameless 政府.
CATCH_ALL = re.compile(r"^(各|相关|有关)|^街道$|成员单位$|有关部门|党委、政府$")
# Bracketed asides that qualify the text (含街道, 包括村级) rather than name units.
ASIDE = re.compile(r"^\s*(含|包括|不含|不包括|其中|即)")


@dataclass(frozen=True)
class UnitList:
    """One bracket: where it stands in the text and what it names."""

    start: int
    end: int
    lead: tuple[str, ...]
    responsible: tuple[str, ...]


def split_units(text: str) -> tuple[str, ...]:
    """Split a list on the document's separators, keeping names verbatim (less a trailing 等).

    Commas separate groups and 、 separates units inside a group, except in catch-all
    groups such as 各市、州、县党委、政府, which name one collective and stay whole.
    """
    items: list[str] = []
    for group in GROUP_SPLIT.split(text):
        group = group.strip().removesuffix("等").strip()
        parts = [group] if is_catch_all(group) else group.split("、")
        for part in parts:
            part = part.strip().removesuffix("等").strip()
            if part and part not in items:
                items.append(part)
    return tuple(items)


def is_catch_all(unit: str) -> bool:
    return bool(CATCH_ALL.search(unit))


def _closing(text: str, start: int) -> int | None:
    """Index of the bracket closing the one at `start`, allowing nested round brackets."""
    closer = OPENERS[text[start]]
    depth = 0
    for i in range(start + 1, min(len(text), start + 600)):
        ch = text[i]
        if ch == closer and depth == 0:
            return i
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            depth = max(depth - 1, 0)
    return None


def _labelled(inner: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    parts = LABEL.split(inner)
    if len(parts) < 3 or parts[0].strip():
        return None
    lead: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    for label, body in zip(parts[1::2], parts[2::2], strict=False):
        units = split_units(body)
        if label == "牵头单位":
            lead += units
        else:
            responsible += units
    return lead, responsible


def _unlabelled(inner: str) -> tuple[str, ...] | None:
    """A bare list counts only if most of its items look like unit names."""
    if ASIDE.match(inner):
        return None
    units = split_units(inner)
    if not units or len(inner) > 300:
        return None
    named = [u for u in units if UNIT_SUFFIX.search(u) or is_catch_all(u)]
    return units if len(named) >= max(1, (len(units) * 3 + 3) // 4) else None


def find_unit_lists(text: str) -> list[UnitList]:
    """Every responsibility bracket in a paragraph, in order.

    A bare bracket is taken only at the end of a sentence or paragraph, where the plans
    put them, so that ordinary asides like (含街道) are not mistaken for unit lists.
    """
    found = []
    i = 0
    while i < len(text):
        if text[i] not in OPENERS:
            i += 1
            continue
        end = _closing(text, i)
        if end is None:
            i += 1
            continue
        inner = text[i + 1 : end]
        labelled = _labelled(inner)
        if labelled:
            found.append(UnitList(i, end + 1, *labelled))
            i = end + 1
            continue
        tail = text[end + 1 : end + 2]
        if text[i] in "(（" and tail in ("", "。", "\n"):
            bare = _unlabelled(inner)
            if bare:
                found.append(UnitList(i, end + 1, (), bare))
                i = end + 1
                continue
        i += 1
    return found
