"""Plain data passed between the knowledge modules and their callers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentInfo:
    """One policy document's manifest entry."""

    id: str
    title: str
    issuer: str
    region: str
    parents: tuple[str, ...] = ()
    level: str = ""
    date: str | None = None
    doc_number: str | None = None
    file: str = ""

    @property
    def jurisdiction(self) -> tuple[str, ...]:
        """The region itself followed by the regions above it."""
        return (self.region, *self.parents)


@dataclass(frozen=True)
class Clause:
    """A stretch of text and the units the document makes responsible for it.

    Unit lists are removed from the text (they are kept here as data) so that passages
    read and are searched as policy, not as lists of offices; `units_text` is the list as the
    plan writes it (the bracket), shown to a resident who asks who handles the matter.
    """

    text: str
    lead_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    units_text: str = ""


@dataclass(frozen=True)
class Section:
    """The paragraphs under one heading path, split into clauses by their unit lists."""

    doc_id: str
    heading_path: tuple[str, ...]
    paragraphs: tuple[tuple[Clause, ...], ...]

    @property
    def text(self) -> str:
        return "\n".join("".join(c.text for c in p) for p in self.paragraphs)

    @property
    def lead_units(self) -> tuple[str, ...]:
        return ordered_union(c.lead_units for p in self.paragraphs for c in p)

    @property
    def responsible_units(self) -> tuple[str, ...]:
        return ordered_union(c.responsible_units for p in self.paragraphs for c in p)


def ordered_union(groups) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        seen.update(dict.fromkeys(group))
    return tuple(seen)


@dataclass(frozen=True)
class Passage:
    """A chat-sized piece of a section: what search returns and residents read."""

    id: str
    doc_id: str
    heading_path: tuple[str, ...]
    text: str
    title: str = ""
    region: str = ""
    issuer: str = ""
    date: str | None = None
    lead_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()
    # The plan's own responsibility brackets for this passage's clauses, verbatim.
    units_text: str = ""

    @property
    def has_units(self) -> bool:
        return bool(self.lead_units or self.responsible_units)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


# What kind of reply an Answer is.
SURE = "answer"  # the text answers the question
SUGGEST = "suggest"  # not sure: the best hits are offered as "您问的是不是：" choices
ABSTAIN = "abstain"  # nothing in the plans answers it
UNCOVERED = "uncovered"  # it asks about a place no plan covers (`uncovered_place`)
# The resident's plan has the matter but states no fact of the kind asked (no amount, no date).
NOT_STATED = "not_stated"


@dataclass
class Answer:
    """What the resident reads, plus the ranked passages behind it."""

    text: str
    abstained: bool
    hits: list[Hit] = field(default_factory=list)
    region: str | None = None
    kind: str = SURE
    uncovered_place: str | None = None
    # What the question asks for: "amount", "time", "who", "eligibility", "how" or None.
    asks: str | None = None
