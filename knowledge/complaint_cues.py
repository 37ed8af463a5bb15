"""Does a chat message read like a complaint? A conservative test for offering the complaint path.

A message counts only when it names a grievance (a cue from data/complaint_cues.txt: money
withheld, being refused, misconduct, asking to report) and its words fall in a complaint
category, so ordinary questions about subsidies are left alone.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.cleaning import normalize

CUES = Path(__file__).parent / "data" / "complaint_cues.txt"
OTHER = "other"


def load_cues(path: Path = CUES) -> tuple[str, ...]:
    lines = (
        line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
    )
    return tuple(normalize(line) for line in lines if line)


class ComplaintCues:
    def __init__(self, cues: tuple[str, ...] | None = None) -> None:
        self.cues = load_cues() if cues is None else cues

    def cue_in(self, text: str) -> str | None:
        """The first cue found in `text`, or None."""
        clean = normalize(text or "")
        return next((cue for cue in self.cues if cue in clean), None)

    def reads_like_complaint(self, text: str, category: str) -> bool:
        """True when `text` has a grievance cue and `category` (from the router) is a real one."""
        return category != OTHER and self.cue_in(text) is not None
