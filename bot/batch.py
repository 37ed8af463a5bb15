"""The batch command line: one JSON object per line in, one per line out, in order.

Every input line gets an output line, including empty or absurd questions and lines
that are not JSON, so a scorer or a county's script never loses its place.
"""

from __future__ import annotations

import json
from typing import Callable, TextIO

Handler = Callable[[dict], dict]


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
        except Exception as exc:  # one bad line must not stop the batch
            failures += 1
            out = {"id": row_id, "error": f"line {number}: {exc}"}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        stdout.flush()
    return failures
