"""Does a chat message read like a complaint? A conservative test for offering the complaint path.

A message counts only when it names a grievance (a cue from data/complaint_cues.txt: money
withheld, embezzled or demanded, favouritism, wrong identification, cadres' misconduct, bad
work, or asking to report) and its words fall in a complaint category, so ordinary questions
about subsidies are left alone. A cue is a phrase, or a pattern (`re:`) where a grievance is
one class of words next to another (a cadre's title followed by a relative: 书记的小舅子).
"""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.cleaning import normalize

CUES = Path(__file__).parent / "data" / "complaint_cues.txt"
PATTERN_PREFIX = "re:"
OTHER = "other"


def load_cues(path: Path = CUES) -> tuple[str, ...]:
    """The cue lines, comments dropped; patterns keep their `re:` prefix."""
    lines = (
        line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
    )
    return tuple(
        line if line.startswith(PATTERN_PREFIX) else normalize(line) for line in lines if line
    )


class ComplaintCues:
    def __init__(self, cues: tuple[str, ...] | None = None) -> None:
        cues = load_cues() if cues is None else cues
        self.phrases = tuple(c for c in cues if not c.startswith(PATTERN_PREFIX))
        self.patterns = tuple(
            re.compile(c[len(PATTERN_PREFIX) :]) for c in cues if c.startswith(PATTERN_PREFIX)
        )

    def cue_in(self, text: str) -> str | None:
        """The first cue found in `text` (the words that matched, for a pattern), or None."""
        clean = normalize(text or "")
        phrase = next((cue for cue in self.phrases if cue in clean), None)
        if phrase is not None:
            return phrase
        return next((m.group(0) for p in self.patterns if (m := p.search(clean))), None)

    def reads_like_complaint(self, text: str, category: str) -> bool:
        """True when `text` has a grievance cue and `category` (from the router) is a real one."""
        return category != OTHER and self.cue_in(text) is not None
