"""The batch command line: one JSON object per line in, one per line out, in order.

Every input line gets an output line, including empty or absurd questions and lines
that are not JSON, so a scorer or a county's script never loses its place.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import TextIO

Handler = Callable[[dict], dict]
_ID = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+)')


def run_jsonl(handler: Handler, stdin: TextIO, stdout: TextIO) -> int:
    """Apply `handler` to each JSON line; returns how many lines failed."""
    failures = 0
    for number, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        row_id = None
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("each line must be a JSON object")
            row_id = row.get("id")
            out = {"id": row_id, **handler(row)}
        except Exception as exc:  # noqa: BLE001 - one bad line must not stop the batch
            failures += 1
            out = {
                "id": row_id if row_id is not None else _salvage_id(line),
                "error": f"line {number}: {exc}",
            }
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return failures


def _salvage_id(line: str):
    """The id of a line that is not valid JSON, when it can still be read off it."""
    match = _ID.search(line)
    if match:
        try:
            return json.loads(match.group(1))
        except ValueError:
            pass
    return None


def route_handler(router) -> Handler:
    """`route --jsonl`: {"id", "text", "region"} → the routing, units primary first."""

    def handle(row: dict) -> dict:
        text = row.get("text")
        region = row.get("region")
        routing = router.route(
            text if isinstance(text, str) else "",
            region if isinstance(region, str) else None,
        )
        out = dataclasses.asdict(routing)
        out["section_path"] = list(routing.section_path) if routing.section_path else None
        return out

    return handle
