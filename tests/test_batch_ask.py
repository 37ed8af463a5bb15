"""`python -m bot ask --jsonl` as a county's script or the scorer runs it: one line out per
line in, in order, whatever the input, with short cited answers or a polite abstention."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.passages import MAX_CHARS

MAX_ANSWER = 800
HOTLINE = "12317"

ROWS = [
    {"id": "empty", "question": "", "region": None},
    {"id": "whitespace", "question": " \t\u3000\n  ", "region": None},
    {"id": "long", "question": ("我家房子漏雨想问问危房改造怎么申请" * 300)[:5000], "region": None},
    {"id": "emoji", "question": "😀🏠💰🙏🏻👨‍👩‍👧", "region": None},
    {"id": "sql", "question": "'; DROP TABLE x;--", "region": None},
    {"id": "lucene", "question": "title:(低保 OR 危房)~2^3 AND *", "region": None},
    {"id": "html", "question": "<script>alert(1)</script>", "region": None},
    {
        "id": "markdown",
        "question": "*低保* _怎么_ `申请` [链接](http://x) # > | ~~ \\ {}",
        "region": None,
    },
    {"id": "control", "question": "".join(chr(i) for i in range(32)) + "低保\x7f", "region": None},
    {"id": "pinyin", "question": "dibao zenme shenqing", "region": None},
    {
        "id": "english",
        "question": "How can I apply for the minimum living allowance?",
        "region": None,
    },
    {"id": "null-region", "question": "危房改造有什么补助", "region": None},
    {"id": "unknown-region", "question": "危房改造有什么补助", "region": "火星市"},
    {"id": "odd-region", "question": "危房改造有什么补助", "region": 42},
    {"id": "numeric-question", "question": 12345, "region": None},
    {"id": "weather", "question": "明天天气怎么样", "region": None},
    {"id": "movie", "question": "推荐一部电影", "region": None},
    {"id": 7, "question": "低保怎么申请", "region": "闽清县"},
]
NOT_JSON = '{"id": "broken", "question": "低保'
ARRAY = json.dumps(["危房", "改造"], ensure_ascii=False)
OBJECT_ROWS = len(ROWS)


def _input_lines() -> list[str]:
    lines = [json.dumps(row, ensure_ascii=False) for row in ROWS]
    lines.insert(5, NOT_JSON)
    lines.insert(9, ARRAY)
    return lines


def _run(data: Path, stdin: bytes, **env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATA_DIR": str(data), "LOG_LEVEL": "WARNING", **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--jsonl"],
        input=stdin,
        env=environment,
        cwd=data.parent,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def data_dir(policy_kb, policy_data_dir: Path) -> Path:
    """The session's data directory, its index already built (the batch only reads it)."""
    return policy_data_dir


@pytest.fixture(scope="module")
def batch(data_dir) -> tuple[list[str], list[dict]]:
    lines = _input_lines()
    result = _run(data_dir, ("\n".join(lines) + "\n").encode("utf-8"))
    assert result.returncode == 0, result.stderr.decode()
    out = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    return lines, out


@pytest.fixture(scope="module")
def by_id(batch) -> dict:
    _, out = batch
    return {row["id"]: row for row in out if "error" not in row}


def test_every_line_gets_one_output_line_in_order(batch):
    lines, out = batch
    assert len(out) == len(lines)
    expected_ids = []
    for line in lines:
        try:
            row = json.loads(line)
        except ValueError:
            row = None
        expected_ids.append(row.get("id") if isinstance(row, dict) else None)
    expected_ids[lines.index(NOT_JSON)] = "broken"  # salvaged from the broken line
    assert [row["id"] for row in out] == expected_ids


def test_lines_that_are_no_json_object_say_so_and_do_not_stop_the_batch(batch):
    lines, out = batch
    assert "error" in out[lines.index(NOT_JSON)]
    assert "error" in out[lines.index(ARRAY)]
    assert sum(1 for row in out if "error" in row) == 2
    assert out[-1]["id"] == 7 and "answer" in out[-1]


@pytest.mark.parametrize("row_id", [row["id"] for row in ROWS])
def test_every_question_gets_a_short_reply_and_well_formed_passages(by_id, row_id):
    row = by_id[row_id]
    assert isinstance(row["answer"], str) and row["answer"].strip()
    assert len(row["answer"]) <= MAX_ANSWER
    assert isinstance(row["abstained"], bool)
    if row["abstained"]:
        assert HOTLINE in row["answer"]
    assert not any(ch < " " and ch != "\n" for ch in row["answer"])
    for passage in row["passages"]:
        assert passage["text"] and len(passage["text"]) <= MAX_CHARS
        assert passage["title"] and passage["region"]
        assert isinstance(passage["heading_path"], list)
        assert isinstance(passage["score"], (int, float)) and passage["score"] > 0


@pytest.mark.parametrize(
    "row_id", ["empty", "whitespace", "emoji", "sql", "html", "weather", "movie"]
)
def test_nonsense_and_off_topic_questions_abstain_with_the_hotline(by_id, row_id):
    row = by_id[row_id]
    assert row["abstained"] is True
    assert HOTLINE in row["answer"]
    assert "《" not in row["answer"]  # no citation of an unrelated passage


def test_hostile_text_is_never_echoed_back(by_id):
    assert "<script>" not in by_id["html"]["answer"]
    assert "DROP TABLE" not in by_id["sql"]["answer"]


@pytest.mark.parametrize("row_id", ["null-region", "unknown-region", "odd-region", "long", 7])
def test_answerable_questions_get_a_cited_answer(by_id, row_id):
    row = by_id[row_id]
    assert row["abstained"] is False
    assert row["passages"]
    assert "《" in row["answer"] and "》" in row["answer"] and "来源" in row["answer"]


def test_housing_question_is_answered_from_a_housing_passage(by_id):
    row = by_id["null-region"]
    assert any("危房" in p["text"] for p in row["passages"][:3])
    assert "危房" in row["answer"]


def test_an_explicit_region_is_reported_and_an_unknown_one_ignored(by_id):
    assert by_id[7]["region"] == "闽清县"
    assert by_id[7]["passages"][0]["region"] == "闽清县"
    assert by_id["unknown-region"]["region"] is None
    assert by_id["unknown-region"]["answer"] == by_id["null-region"]["answer"]


def test_bad_bytes_and_lone_surrogates_do_not_end_the_batch(data_dir, batch):
    stdin = (
        b'{"id": "\\ud800", "question": "\\udc80\xe4\xbd\x8e\xe4\xbf\x9d"}\n'  # lone surrogates; then 低保
        b"\xff\xfe not utf-8 at all\n"
        b'{"id": "after", "question": "\xe6\x98\x8e\xe5\xa4\xa9\xe5\xa4\xa9\xe6\xb0\x94"}\n'  # 明天天气
    )
    # A strict UTF-8 console, as on a developer's machine, must not make a difference.
    result = _run(data_dir, stdin, PYTHONIOENCODING="utf-8:strict")
    assert result.returncode == 0, result.stderr.decode()
    out = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(out) == 3
    assert out[0]["id"] == "\ud800" and "answer" in out[0]
    assert "error" in out[1]
    assert out[2]["id"] == "after" and out[2]["abstained"] is True
