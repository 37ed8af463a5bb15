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
class Section:
    """A heading and its body, with the units the document makes responsible for it."""

    doc_id: str
    heading_path: tuple[str, ...]
    text: str
    lead_units: tuple[str, ...] = ()
    responsible_units: tuple[str, ...] = ()


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


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


@dataclass
class Answer:
    """What the resident reads, plus the ranked passages behind it."""

    text: str
    abstained: bool
    hits: list[Hit] = field(default_factory=list)
    region: str | None = None
