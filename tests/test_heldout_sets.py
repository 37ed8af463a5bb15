"""The held-out question sets in benchmarks/heldout stay true to the plans the bot ships:
every gold string and fact is in the plan the row names, so a figure measured on them is a
figure about the shipped corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETS = sorted((ROOT / "benchmarks" / "heldout").glob("*.jsonl"))
CORPUS = ROOT / "knowledge" / "corpus"


def _plain(text: str) -> str:
    return "".join(text.split())


def _plans() -> dict[str, str]:
    return {p.name[:3]: _plain(p.read_text(encoding="utf-8")) for p in CORPUS.glob("*.txt")}


@pytest.mark.parametrize("path", SETS, ids=[p.stem for p in SETS])
def test_every_gold_string_and_fact_is_in_the_plan_the_row_names(path):
    plans = _plans()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        if not row["doc"]:
            assert not row["gold"] and not row["facts"], row["id"]
            continue
        plan = plans[row["doc"]]
        for text in [*row["gold"], *row["facts"]]:
            assert _plain(text) in plan, (row["id"], text)
