"""Every reason a policy file is refused for reads as its own Chinese text, the same in the
bot and in the web console."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from pypdf import PdfWriter

import knowledge
from handlers import admin_knowledge
from knowledge.ingest import read_sections
from knowledge.reader_texts import READ_PROBLEM_OTHER, read_problem
from knowledge.readers import MAX_TEXT_CHARS, UnreadableDocument, read_document_limited
from web import admin_pages


def _encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A file of each kind an admin may send, and what the admin reads about it.
REFUSED = [
    ("表格.xls", b"\xd0\xcf\x11\xe0", "不支持这种文件类型"),
    ("空白.txt", b"  \n\n", "文件里没有文字"),
    ("只有标题.txt", "一、总则\n".encode(), "没有找到政策正文"),
    ("加密.pdf", _encrypted_pdf(), "PDF 文件加了密"),
    ("乱码.txt", b"\x80\xff" * 10, "文字编码无法识别"),
    ("坏的.docx", b"not a zip", "文件损坏或无法读取"),
    ("坏的.pdf", b"%PDF-1.4\n this is no pdf at all", "文件损坏或格式不对"),
    ("太长.txt", b"a" * (MAX_TEXT_CHARS + 1), "文件内容太大（解压后或页数、字数超过上限）"),
]


@pytest.mark.parametrize(("name", "content", "said"), REFUSED, ids=[r[0] for r in REFUSED])
def test_each_refused_file_is_explained_in_its_own_words(tmp_path, name, content, said):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument) as refused:
        read_sections(path, "L001", read=read_document_limited)
    assert read_problem(refused.value.reason) == said


def test_a_file_gone_before_it_is_read_and_one_read_too_slowly_are_explained(tmp_path):
    with pytest.raises(UnreadableDocument) as gone:
        read_document_limited(tmp_path / "不见了.txt")
    assert read_problem(gone.value.reason) == "文件不见了"
    slow = tmp_path / "慢.txt"
    slow.write_text("一、总则\n（一）补助标准\n每户补助2万元。\n", encoding="utf-8")
    with pytest.raises(UnreadableDocument) as stopped:
        read_document_limited(slow, seconds=0.001)  # the child cannot even start in time
    assert read_problem(stopped.value.reason) == "文件太复杂，读取超时"


def _written_reasons() -> list[str]:
    """How each reason the knowledge package writes starts: the literal text before any `{}`."""
    starts = []
    for source in Path(knowledge.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "UnreadableDocument":
                reason = node.args[1]
            elif (  # the limited reader's child sends (False, reason)
                isinstance(node, ast.Tuple)
                and len(node.elts) == 2
                and isinstance(node.elts[0], ast.Constant)
                and node.elts[0].value is False
            ):
                reason = node.elts[1]
            else:
                continue
            if isinstance(reason, ast.JoinedStr):
                reason = reason.values[0]
            if isinstance(reason, ast.Constant) and isinstance(reason.value, str):
                starts.append(reason.value)
    return starts


def test_no_reason_the_readers_write_falls_back_to_the_bare_cannot_read():
    starts = _written_reasons()
    assert len(starts) >= 10  # the scan finds the readers' reasons at all
    assert [s for s in starts if read_problem(s) == READ_PROBLEM_OTHER] == []


@pytest.mark.parametrize(
    "reason",
    [
        "cannot read: [Errno 2] No such file or directory: '/srv/corpus/a.txt'",  # bot's list only
        "too large: 612 pages",  # bot's list only
        "too slow: not read within 60 s",  # bot's list only
        "corrupt or unsupported content: PdfStreamError()",
    ],
)
def test_the_bot_and_the_web_console_explain_a_reason_alike(reason):
    said = admin_knowledge.read_problem(reason)
    assert said == admin_pages.read_problem(reason) and said != READ_PROBLEM_OTHER
