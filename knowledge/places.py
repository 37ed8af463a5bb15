"""Place recognition: which document's jurisdiction a resident is talking about.

Residents name their town, village or prefecture (坂东, 车桥, 恩施, 戛洒), or the region
above their county (浏阳, 福建), rarely the county itself. The gazetteer maps every such
name to the region of the document that covers it. The regions and their parents come
from the manifest; the places inside them from `data/gazetteer.json`, which admins extend.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.models import DocumentInfo

DATA = Path(__file__).parent / "data" / "gazetteer.json"
SUFFIX = re.compile(r"(片区|街道|社区|林区|镇|乡|村|州|市|县|区|省)$")


@dataclass(frozen=True)
class Place:
    """A recognised place: its full name and the document region it falls under."""

    name: str
    region: str


def short_form(name: str) -> str | None:
    """闽清县 → 闽清, 坂东镇 → 坂东; None when too little would remain."""
    stripped = SUFFIX.sub("", name)
    return stripped if stripped != name and len(stripped) >= 2 else None


class Gazetteer:
    def __init__(self, documents: list[DocumentInfo], data_path: Path = DATA) -> None:
        data = json.loads(data_path.read_text(encoding="utf-8"))
        no_short = set(data.get("no_short_form", []))
        self._names: dict[str, Place] = {}
        self._chains: dict[str, tuple[str, ...]] = {}
        # Parents first, so that a document region's own name wins over a parent's short form
        # (淮安 is 淮安区, the document's region, not 淮安市 above it).
        for doc in documents:
            for i, parent in enumerate(doc.parents):
                self._chains.setdefault(parent, doc.parents[i:])
                self._add(parent, doc.region, allow_short=True)
        for doc in documents:
            self._chains[doc.region] = doc.jurisdiction
            self._add(doc.region, doc.region, allow_short=True)
        for region, places in data.get("places", {}).items():
            for name in places:
                self._add(name, region, allow_short=name not in no_short)
        for region, aliases in data.get("aliases", {}).items():
            for alias in aliases:
                self._names[alias] = Place(alias, region)
        self._pattern = re.compile(
            "|".join(re.escape(n) for n in sorted(self._names, key=len, reverse=True))
        )

    def _add(self, name: str, region: str, allow_short: bool) -> None:
        place = Place(name, region)
        self._names[name] = place
        short = short_form(name)
        if allow_short and short:
            self._names.setdefault(short, place)

    def find(self, text: str) -> Place | None:
        """The most specific place named in the text (longest name; first on a tie)."""
        best = None
        for match in self._pattern.finditer(text or ""):
            if best is None or len(match.group(0)) > len(best.group(0)):
                best = match
        return self._names[best.group(0)] if best else None

    def remove(self, text: str) -> str:
        """The text without its place names, which select a jurisdiction but are no search words."""
        return self._pattern.sub(" ", text or "")

    def resolve(self, name: str | None) -> Place | None:
        """A region the resident set explicitly (a county, town or parent name)."""
        if not name:
            return None
        name = name.strip()
        return self._names.get(name) or self.find(name)

    def chain(self, region: str) -> tuple[str, ...]:
        """The region and the regions above it (镇头镇 → 浏阳市 → 长沙市 → 湖南省)."""
        return self._chains.get(region, (region,))
