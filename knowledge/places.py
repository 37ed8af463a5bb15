"""Place recognition: which document's jurisdiction a resident is talking about.

Residents name their town, village or prefecture (坂东, 车桥, 恩施, 戛洒), or the region
above their county (浏阳, 福建), rarely the county itself. The gazetteer maps every such
name to the region of the document that covers it. The regions and their parents come
from the manifest; the places inside them from `data/gazetteer.json`, which admins extend.

Residents also name places no plan covers (漳州, 贵州, 甘肃 …). China's provinces,
prefectures and counties (`data/divisions.csv`, the statistics bureau's division codes)
tell those apart from words, so that the bot can say the plans here do not cover them
instead of quoting another region's rule as theirs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge.analyzer import part_of_speech, segmenter
from knowledge.models import DocumentInfo

DATA = Path(__file__).parent / "data" / "gazetteer.json"
DIVISIONS = Path(__file__).parent / "data" / "divisions.csv"
NATIONALITIES = Path(__file__).parent / "data" / "nationalities.txt"
SUFFIX = re.compile(r"(片区|街道|社区|林区|镇|乡|村|州|市|县|区|省)$")
DIVISION_SUFFIX = re.compile(
    r"(特别行政区|(?:维吾尔|壮族|回族)?自治区|自治[州县旗]|地区|林区|省|市|盟|县|区|旗)$"
)
PROVINCE, PREFECTURE, COUNTY, TOWN = 1, 2, 3, 4
# A place one goes to or stays in for work, school or treatment (在浙江电子厂打工, 去广东上班,
# 在福州住院) is not the place whose rules are asked about.
AWAY = re.compile(
    r"(?:在|去|到|来|跑)[^，,。；;！!？?\s]{2,16}?(?:打工|上班|务工|做工|打零工|做事|干活|挣钱|工作|住院|看病|读书|上学|念书|读大学)"
)
# jieba's tags of proper names; a county's short form jieba tags otherwise (平房, 前进, 长子)
# is an everyday word first.
PLACE_TAGS = ("ns", "nr", "nz")


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
        self.regions = [d.region for d in documents]
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
        # A short form that is also an everyday word (水塘, 建兴) is a place only right after
        # its county's name (新平水塘, 新平县新化) or where a resident says where they are
        # from (水塘的，…, 我是建兴的, 家在古城那边).
        self._introduced: dict[str, Place] = {}
        for region, places in data.get("places", {}).items():
            for name in places:
                short = short_form(name)
                if name in no_short and short and short not in self._names:
                    self._introduced[short] = Place(name, region)
                    for county in filter(None, (region, short_form(region))):
                        self._names.setdefault(county + short, Place(name, region))
        self._pattern = re.compile(
            "|".join(re.escape(n) for n in sorted(self._names, key=len, reverse=True))
        )
        self._introduction = (
            re.compile(
                r"(?:^|我是|俺是|我们是|俺们是|我家在|俺家在|家在|住在)("
                + "|".join(re.escape(n) for n in sorted(self._introduced, key=len, reverse=True))
                + r")(?=的|这边|那边|那里|这里|人)"
            )
            if self._introduced
            else None
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
        if best:
            return self._names[best.group(0)]
        introduced = (
            self._introduction.search(text.strip()) if self._introduction and text else None
        )
        return self._introduced[introduced.group(1)] if introduced else None

    def remove(self, text: str) -> str:
        """The text without its place names, which select a jurisdiction but are no search words."""
        text = self._pattern.sub(" ", text or "")
        if self._introduction:
            text = self._introduction.sub(
                lambda m: m.group(0).replace(m.group(1), " "), text.strip()
            )
        return text

    def resolve(self, name: str | None) -> Place | None:
        """A region the resident set explicitly (a county, town or parent name)."""
        if not name:
            return None
        name = name.strip()
        return self._names.get(name) or self.find(name)

    def uncovered(self, text: str) -> str | None:
        """The place the text asks about when no plan covers it (漳州 → 漳州市), else None.

        That is the most specific division named, when it is more specific than every
        covered place named (福建漳州 asks about 漳州; 镇头的,在深圳打工 about 镇头), and not
        only where the resident goes for work, school or treatment (在浙江打工). A division is
        covered when the gazetteer knows it or it lies in a document's region (every county
        of 湖北省).
        """
        table = divisions()
        covered_level = 0
        for match in self._pattern.finditer(text or ""):
            known = table.names.get(match.group(0))
            covered_level = max(
                covered_level, min((d.level for d in known), default=TOWN) if known else TOWN
            )
        best: Division | None = None
        away = [m.group(0) for m in AWAY.finditer(text or "")]
        for name, candidates in table.find(text or ""):
            if any(name in stretch for stretch in away):
                continue
            if name in self._names or any(self._covers(d) for d in candidates):
                covered_level = max(covered_level, min(d.level for d in candidates))
                continue
            # A name both a prefecture and a county have (衡阳, 红河) means the prefecture.
            division = min(candidates, key=lambda d: d.level)
            if best is None or division.level > best.level:
                best = division
        return best.name if best and best.level > covered_level else None

    def _covers(self, division: Division) -> bool:
        table = divisions()
        return division.name in self._names or any(
            table.by_code[code].name in self.regions
            for code in division.ancestors
            if code in table.by_code
        )

    def chain(self, region: str) -> tuple[str, ...]:
        """The region and the regions above it (镇头镇 → 浏阳市 → 长沙市 → 湖南省)."""
        return self._chains.get(region, (region,))


@dataclass(frozen=True)
class Division:
    """A province, prefecture or county of China by its six-digit division code."""

    code: str
    name: str

    @property
    def level(self) -> int:
        return (
            PROVINCE
            if self.code.endswith("0000")
            else PREFECTURE
            if self.code.endswith("00")
            else COUNTY
        )

    @property
    def ancestors(self) -> tuple[str, ...]:
        """The codes of the prefecture and province it lies in."""
        return tuple(c for c in (self.code[:4] + "00", self.code[:2] + "0000") if c != self.code)


def division_short_forms(name: str, nationalities: frozenset[str]) -> list[str]:
    """贵州省 → 贵州, 恩施土家族苗族自治州 → 恩施, 新平彝族傣族自治县 → 新平 (at least 2 characters)."""
    stem = DIVISION_SUFFIX.sub("", name)
    if stem != name:
        # Peel the nationalities off an autonomous region's name, last first.
        forms, lengths = _nationality_forms(nationalities)
        peeled = True
        while peeled:
            peeled = False
            for n in lengths:  # longest first: 土家族 before a shorter name it ends with
                if len(stem) - n >= 2 and stem[-n:] in forms:
                    stem, peeled = stem[:-n], True
                    break
    return [stem] if stem != name and len(stem) >= 2 else []


@lru_cache(maxsize=4)
def _nationality_forms(nationalities: frozenset[str]) -> tuple[frozenset[str], list[int]]:
    """Each nationality with and without 族 (苗族, 苗), and their lengths, longest first."""
    forms = frozenset(f for n in nationalities for f in (n, n.removesuffix("族")) if f)
    return forms, sorted({len(f) for f in forms}, reverse=True)


class Divisions:
    """Every province, prefecture and county by its names, full and short.

    A county's short form is taken only where it cannot be an everyday word: jieba does not
    know it, or knows it as a place; and in a text it must stand as a word of its own
    (大新 is a county, but not in 加大新型).
    """

    def __init__(self, path: Path = DIVISIONS, nationalities_path: Path = NATIONALITIES) -> None:
        nationalities = frozenset(
            w
            for w in nationalities_path.read_text(encoding="utf-8").split()
            if not w.startswith("#")
        )
        self.by_code: dict[str, Division] = {}
        self.names: dict[str, list[Division]] = {}
        self.strict: set[str] = set()  # names that must stand as a word of their own
        seg = segmenter()
        for line in path.read_text(encoding="utf-8").splitlines():
            code, _, name = line.partition(",")
            if not code.isdigit():
                continue
            division = Division(code, name.strip())
            self.by_code[code] = division
            self.names.setdefault(division.name, []).append(division)
            for short in division_short_forms(division.name, nationalities):
                if "自治" in division.name:  # said as 恩施州, 新平县
                    self.names.setdefault(short + division.name[-1], []).append(division)
                if division.level == COUNTY:
                    if seg.FREQ.get(short) and not part_of_speech(short).startswith(PLACE_TAGS):
                        continue
                    self.strict.add(short)
                self.names.setdefault(short, []).append(division)
        self.longest = max(map(len, self.names))

    def find(self, text: str) -> list[tuple[str, list[Division]]]:
        """The division names in the text, leftmost longest first, each with the divisions it may mean."""
        found = []
        bounds = None
        i = 0
        while i < len(text):
            for n in range(min(self.longest, len(text) - i), 1, -1):
                name = text[i : i + n]
                if name not in self.names:
                    continue
                if name in self.strict:
                    if bounds is None:
                        bounds = {
                            b for _, start, end in segmenter().tokenize(text) for b in (start, end)
                        }
                    if i not in bounds or i + n not in bounds:
                        continue
                found.append((name, self.names[name]))
                i += n - 1
                break
            i += 1
        return found


@lru_cache(maxsize=1)
def divisions() -> Divisions:
    return Divisions()
