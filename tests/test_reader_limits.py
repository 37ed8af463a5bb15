"""Uploads built to exhaust the bot: a .docx that inflates to huge XML, a PDF with endless
pages, a file that takes forever to parse. Each is refused with a reason, quickly, and nothing
is read into memory beyond the caps."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from knowledge.library import Library
from knowledge.reader_texts import READ_PROBLEM_OTHER, read_problem
from knowledge.readers import (
    MAX_DOCX_UNCOMPRESSED,
    MAX_PDF_PAGES,
    UnreadableDocument,
    read_document,
    read_document_limited,
)


def _docx_with_body(path: Path, body_xml: bytes) -> None:
    """A real .docx (from python-docx) whose word/document.xml is replaced by `body_xml`."""
    template = io.BytesIO()
    docx.Document().save(template)
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            data = body_xml if item.filename == "word/document.xml" else source.read(item.filename)
            bomb.writestr(item.filename, data)


def _document_xml(paragraphs: int) -> bytes:
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    )
    paragraph = "<w:p><w:r><w:t>村里的补助款按规定发放到户。</w:t></w:r></w:p>".encode()
    return head + paragraph * paragraphs + b"</w:body></w:document>"


def test_a_docx_that_inflates_to_huge_xml_is_refused_before_parsing(tmp_path):
    path = tmp_path / "bomb.docx"
    _docx_with_body(path, _document_xml(MAX_DOCX_UNCOMPRESSED // 60 + 1000))
    assert path.stat().st_size < 2 * 1024 * 1024  # small on disk, the check the upload already had
    with pytest.raises(UnreadableDocument) as refused:
        read_document(path)
    # Refused from the zip directory's declared size, not after inflating and parsing.
    assert refused.value.reason.endswith("bytes uncompressed")
    assert read_problem(refused.value.reason) != READ_PROBLEM_OTHER


def test_a_docx_entry_with_an_absurd_compression_ratio_is_refused(tmp_path):
    path = tmp_path / "ratio.docx"
    _docx_with_body(
        path, _document_xml(20) + b" " * (4 * 1024 * 1024)
    )  # 4 MiB of spaces, ~4 KiB zipped
    with pytest.raises(UnreadableDocument) as refused:
        read_document(path)
    assert refused.value.reason.startswith("too large")


def test_an_ordinary_docx_still_reads(tmp_path):
    path = tmp_path / "ok.docx"
    _docx_with_body(path, _document_xml(200))
    assert read_document(path).count("补助款") == 200


def test_a_pdf_with_too_many_pages_is_refused(tmp_path):
    writer = PdfWriter()
    for _ in range(MAX_PDF_PAGES + 1):
        writer.add_blank_page(width=200, height=200)
    path = tmp_path / "pages.pdf"
    with path.open("wb") as f:
        writer.write(f)
    with pytest.raises(UnreadableDocument) as refused:
        read_document(path)
    assert refused.value.reason.startswith("too large")


def test_a_file_that_parses_too_long_is_stopped_at_the_time_limit(tmp_path):
    path = tmp_path / "slow.html"
    path.write_text(
        "<html><body>"
        + "<div><p>补助标准</p><span>每人每年</span></div>" * 200_000
        + "</body></html>",
        encoding="utf-8",
    )
    with pytest.raises(UnreadableDocument) as refused:
        read_document_limited(path, seconds=1.0)
    assert refused.value.reason.startswith("too slow")
    assert read_problem(refused.value.reason) != READ_PROBLEM_OTHER


def test_an_admin_upload_goes_through_the_limited_reader(tmp_path):
    bomb = tmp_path / "bomb.docx"
    _docx_with_body(bomb, _document_xml(MAX_DOCX_UNCOMPRESSED // 60 + 1000))
    library = Library(tmp_path / "library")
    with pytest.raises(UnreadableDocument):
        library.add(
            bomb,
            original_name="闽清县政策.docx",
            region="闽清县",
            added_by=1,
            added_at="2026-11-29",
        )
    assert library.entries() == []
