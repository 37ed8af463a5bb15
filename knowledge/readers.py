"""Turn the files admins drop into the corpus into plain text.

Admins add whatever the county website or the office printer gave them: text saved in GBK
by an old Windows tool, Markdown, a saved web page, a Word file or a PDF. Each reader keeps
the line structure (headings are found per line later) and nothing else; cleaning of site
chrome happens in `knowledge.cleaning`. A file that cannot give text raises
`UnreadableDocument`, and `load_documents` reports such files by name instead of failing
the whole load.

An upload can be built to exhaust the bot: a small .docx that inflates to gigabytes of XML, a
PDF with endless pages. Sizes are checked from the zip directory before parsing, PDF pages and
extracted text are capped, and `read_document_limited` parses in a child process that is
killed at a time limit and runs under a memory limit.
"""

from __future__ import annotations

import multiprocessing
import re
import zipfile
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from pathlib import Path

__all__ = [
    "SUFFIXES",
    "UnreadableDocument",
    "load_documents",
    "read_document",
    "read_document_limited",
]

# The longest policy plans are a few hundred pages and under 2 MB of text; these leave room.
MAX_TEXT_CHARS = 3_000_000
MAX_PDF_PAGES = 500
MAX_DOCX_UNCOMPRESSED = 40 * 1024 * 1024  # all entries of the archive together
MAX_DOCX_ENTRIES = 2000
MAX_ZIP_RATIO = 200  # Word's XML deflates about 10:1; a bomb's runs of repeats go far beyond
READ_SECONDS = 60.0
READ_MEMORY_BYTES = 2 * 1024 * 1024 * 1024  # address space of the child that parses an upload


class UnreadableDocument(Exception):
    """A corpus file that gave no text; says which file and why, for the admin."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


# -- plain text -------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
# Chinese pages that declare gb2312 or gbk routinely contain characters only GB18030 has.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn"}


def _decode(data: bytes, declared: str | None = None) -> str:
    """Decode bytes as UTF-8 (with or without BOM), else the declared charset, else GB18030.

    Strict UTF-8 almost never succeeds on GBK bytes by accident, so trying it first is safe.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = []
    if declared:
        declared = declared.lower()
        candidates.append("gb18030" if declared in _GB_FAMILY else declared)
    candidates.append("gb18030")
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ValueError("not UTF-8 or GB18030 text")


def _read_text(path: Path) -> str:
    return _decode(path.read_bytes())


# -- Markdown ---------------------------------------------------------------------------

_MD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^[ \t]*```.*$|^[ \t]*~~~.*$", re.M), ""),  # code fences
    (re.compile(r"^[ \t]{0,3}\[[^\]]+\]:[ \t]*\S+.*$", re.M), ""),  # link reference definitions
    (re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$", re.M), ""),  # horizontal rules
    # table rule rows such as |---|:---:|
    (re.compile(r"^[ \t]*\|?([ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*:?-*:?[ \t]*$", re.M), ""),
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*(.*?)[ \t]*#*[ \t]*$", re.M), r"\1"),  # ATX headings
    (re.compile(r"^[ \t]{0,3}(=+|-+)[ \t]*$", re.M), ""),  # setext heading underlines
    (re.compile(r"^[ \t]*(>[ \t]?)+", re.M), ""),  # block quotes
    (re.compile(r"^([ \t]*)[-*+][ \t]+(\[[ xX]\][ \t]+)?", re.M), r"\1"),  # bullet markers
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images keep their alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # inline links keep their text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links keep their text
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),  # autolinks
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    # *italic* and _italic_; Chinese has no spaces, so only Latin letters bound a word
    (re.compile(r"(?<![A-Za-z0-9*\\])\*(?![\s*])(.+?)(?<![\s\\])\*(?![A-Za-z0-9*])"), r"\1"),
    (re.compile(r"(?<![A-Za-z0-9_\\])_(?![\s_])(.+?)(?<![\s\\])_(?![A-Za-z0-9_])"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),  # strikethrough
    (re.compile(r"`+([^`]*)`+"), r"\1"),  # inline code
    (re.compile(r"^[ \t]*\||\|[ \t]*$", re.M), ""),  # table row borders
    (re.compile(r"[ \t]*\|[ \t]*"), " "),  # table cell borders
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),  # backslash escapes
]


def _read_markdown(path: Path) -> str:
    """Keep the words of a Markdown file; drop the markup a resident would see as noise.

    Ordered-list numbers (`1.`) stay: they are one of the heading forms policies use.
    """
    text = _read_text(path)
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text


# -- HTML -------------------------------------------------------------------------------

_HTML_DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "iframe")
_HTML_BLOCKS = (
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table", "section",
    "article", "main", "aside", "blockquote", "pre", "address", "figure", "figcaption",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "title", "caption", "form", "center",
)  # fmt: skip


_SOURCE_BREAK = re.compile(r"(.?)[ \t\r]*\n\s*(.?)", re.S)
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _join_source_lines(match: re.Match[str]) -> str:
    """Chinese wraps without a space; other scripts need one where the source broke."""
    before, after = match.group(1), match.group(2)
    joiner = "" if _CJK.match(before or " ") and _CJK.match(after or " ") else " "
    return f"{before}{joiner if before and after else ' '}{after}"


def _read_html(path: Path) -> str:
    """Text of a saved web page, one line per block element, without page furniture."""
    from bs4 import BeautifulSoup, Comment

    data = path.read_bytes()
    match = _META_CHARSET.search(data[:4096])
    html = _decode(data, match.group(1).decode("ascii") if match else None)
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    # Source line breaks inside a paragraph are formatting, not structure.
    for node in soup.find_all(string=True):
        if "\n" in node and node.find_parent("pre") is None:
            node.replace_with(_SOURCE_BREAK.sub(_join_source_lines, str(node)))
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in soup.find_all(("td", "th")):
        cell.insert_after(" ")
    return soup.get_text()


# -- Word -------------------------------------------------------------------------------


def _check_archive(path: Path) -> None:
    """Refuse a zip whose declared sizes are too large, before anything is inflated.

    zipfile never inflates an entry beyond its declared size (it stops and fails the CRC), so
    the directory is a safe place to judge from.
    """
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_DOCX_ENTRIES:
            raise UnreadableDocument(path, f"too large: {len(entries)} parts in the archive")
        total = sum(entry.file_size for entry in entries)
        if total > MAX_DOCX_UNCOMPRESSED:
            raise UnreadableDocument(path, f"too large: {total} bytes uncompressed")
        for entry in entries:
            if entry.file_size > 1024 * 1024 and entry.file_size > MAX_ZIP_RATIO * max(
                entry.compress_size, 1
            ):
                raise UnreadableDocument(
                    path,
                    f"too large: {entry.filename} inflates {entry.file_size} bytes "
                    f"from {entry.compress_size}",
                )


def _read_docx(path: Path) -> str:
    """Paragraphs and table cells of a .docx in document order; one line each.

    Merged cells repeat in python-docx's cell list, so a cell's text is kept once per row.
    """
    import docx
    from docx.table import Table

    _check_archive(path)
    document = docx.Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    lines.append(cell.text)
        else:
            lines.append(block.text)
    return "\n".join(lines)


# -- PDF --------------------------------------------------------------------------------


def _read_pdf(path: Path) -> str:
    """Text layer of each page, pages joined by a blank line; scans without text fail."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted PDF")
    if len(reader.pages) > MAX_PDF_PAGES:
        raise UnreadableDocument(path, f"too large: {len(reader.pages)} pages")
    pages, length = [], 0
    for page in reader.pages:
        pages.append(page.extract_text() or "")
        length += len(pages[-1])
        if length > MAX_TEXT_CHARS:
            raise UnreadableDocument(
                path, f"too large: more than {MAX_TEXT_CHARS} characters of text"
            )
    return "\n\n".join(pages)


_READERS: dict[str, Callable[[Path], str]] = {
    ".txt": _read_text,
    ".text": _read_text,
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
}
SUFFIXES = frozenset(_READERS)


def read_document(path: Path) -> str:
    """The text of one corpus file, by its suffix; raises UnreadableDocument otherwise.

    Line breaks are normalised to `\\n`; otherwise the text is as the file has it.
    """
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableDocument(path, f"unsupported file type {path.suffix or '(none)'!r}")
    try:
        text = reader(path)
    except UnreadableDocument:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise UnreadableDocument(path, f"cannot read: {exc}") from exc
    except Exception as exc:  # parsers of corrupt Word/PDF files raise their own types
        raise UnreadableDocument(path, f"corrupt or unsupported content: {exc!r}") from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise UnreadableDocument(path, "no text in file")
    if len(text) > MAX_TEXT_CHARS:
        raise UnreadableDocument(path, f"too large: more than {MAX_TEXT_CHARS} characters of text")
    return text


def _read_in_child(path: str, memory: int, connection: Connection) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass
    try:
        result: tuple[bool, str] = (True, read_document(Path(path)))
    except UnreadableDocument as problem:
        result = (False, problem.reason)
    except MemoryError:
        result = (False, "too large: parsing needed more memory than allowed")
    connection.send(result)


def read_document_limited(
    path: Path, seconds: float = READ_SECONDS, memory: int = READ_MEMORY_BYTES
) -> str:
    """`read_document` in a child process, killed after `seconds` and limited to `memory`
    bytes of address space, for files from outside (admins' uploads)."""
    path = Path(path)
    context = multiprocessing.get_context("spawn")  # no copy of the bot's threads and sockets
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_read_in_child, args=(str(path), memory, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise UnreadableDocument(path, f"too slow: not read within {seconds:g} s")
        try:
            ok, value = receiver.recv()
        except EOFError:
            raise UnreadableDocument(
                path, "corrupt or unsupported content: the reader stopped"
            ) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if not ok:
        raise UnreadableDocument(path, value)
    return value


def load_documents(
    paths: Iterable[Path],
) -> tuple[list[tuple[Path, str]], list[UnreadableDocument]]:
    """Read every file that can be read; collect the others so the admin sees their names."""
    loaded: list[tuple[Path, str]] = []
    failed: list[UnreadableDocument] = []
    for path in paths:
        try:
            loaded.append((Path(path), read_document(Path(path))))
        except UnreadableDocument as error:
            failed.append(error)
    return loaded, failed
