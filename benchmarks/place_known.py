"""How much of a question set's first-place misses is not knowing the resident's place.

    .venv/bin/python benchmarks/place_known.py ../shared/eval/dev2_questions.jsonl --half odd

Scores the set twice through `../shared/eval/score.py` (the batch command line, as always):
with the region null, as a real first message arrives, and with each answerable row's region
set to that of the plan its gold passage is from, as once the resident has told the bot
where they live (in Telegram it asks 您是哪个地方的？). Where several plans answer a question
that names no place, the labelled gold is one of them, so the first figure's hit@1 counts
another plan's right answer as a miss; the difference between the two is that share. It is
a diagnostic, not a figure to report as the bot's: a resident's place is not the gold's.
Prints the two JSON summaries.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.manifest import load_manifest  # noqa: E402

SCORE = ROOT.parent / "shared" / "eval" / "score.py"


def with_gold_places(rows: list[dict]) -> list[dict]:
    """The rows, each answerable one's region set to its gold plan's."""
    regions = {d.id: d.region for d in load_manifest()}
    return [
        {**r, "region": regions.get(r["doc"], r.get("region"))} if r.get("doc") else r for r in rows
    ]


def score(path: Path, half: str | None, with_region: bool) -> dict:
    command = [sys.executable, str(SCORE), "questions", str(path), "--python", sys.executable]
    command += ["--half", half] if half else []
    command += ["--with-region"] if with_region else []
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--half", choices=["odd", "even"])
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line]
    with tempfile.TemporaryDirectory() as tmp:
        known = Path(tmp) / args.file.name
        known.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in with_gold_places(rows)),
            encoding="utf-8",
        )
        print(json.dumps({"place": "unknown", **score(args.file.resolve(), args.half, False)}))
        print(json.dumps({"place": "gold plan's", **score(known, args.half, True)}))


if __name__ == "__main__":
    main()
