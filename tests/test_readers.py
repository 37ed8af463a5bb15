"""Each reader on a real file of its kind, and a load that survives bad files."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from knowledge.cleaning import strip_chrome
from knowledge.readers import UnreadableDocument, load_documents, read_document

POLICY = "对建档立卡贫困户危房改造，每户补助2万元。"


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# -- a small PDF writer: no library here makes PDFs, and pypdf only reads them -----------


def _pdf_string(text: str) -> str:
    """A text operand: hex UTF-16BE for the CJK font, a literal string for Helvetica."""
    if text.isascii():
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({escaped})"
    return "<" + text.encode("utf-16-be").hex().upper() + ">"


def write_pdf(path: Path, pages: list[list[str]]) -> None:
    """Write a PDF whose pages show the given lines.

    Chinese uses the standard Adobe-GB1 font STSong-Light with the UniGB-UTF16-H CMap, which
    needs no embedded font file and which pypdf decodes as UTF-16BE.
    """
    objects: list[bytes] = []

    def add(body: str | bytes) -> int:
        objects.append(body.encode("latin-1") if isinstance(body, str) else body)
        return len(objects)

    catalog = add("")  # filled in once the page tree exists
    page_tree = add("")
    latin = add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    cid = add(
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        "/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        "/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        "/CapHeight 880 /StemV 93 >> >>"
    )
    chinese = add(
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light "
        f"/Encoding /UniGB-UTF16-H /DescendantFonts [{cid} 0 R] >>"
    )
    kids = []
    for lines in pages:
        ops = ["BT", "14 TL", "72 770 Td"]
        for line in lines:
            font = latin if line.isascii() else chinese
            ops += [f"/F{font} 12 Tf", f"{_pdf_string(line)} Tj", "T*"]
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(
            add(
                f"<< /Type /Page /Parent {page_tree} 0 R /MediaBox [0 0 595 842] "
                f"/Resources << /Font << /F{latin} {latin} 0 R /F{chinese} {chinese} 0 R >> >> "
                f"/Contents {content} 0 R >>"
            )
        )
    objects[catalog - 1] = f"<< /Type /Catalog /Pages {page_tree} 0 R >>".encode()
    refs = " ".join(f"{kid} 0 R" for kid in kids)
    objects[page_tree - 1] = f"<< /Type /Pages /Kids [{refs}] /Count {len(kids)} >>".encode()

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    path.write_bytes(bytes(out))


# -- plain text ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_plain_text_in_each_encoding_the_counties_use(tmp_path, encoding):
    path = tmp_path / "policy.txt"
    path.write_bytes(f"一、住房保障\r\n{POLICY}\r\n".encode(encoding))
    assert read_document(path) == f"一、住房保障\n{POLICY}\n"


def test_gb18030_text_with_characters_beyond_gbk(tmp_path):
    path = tmp_path / "names.txt"
    text = "联系人：朱镕基同志、𠮷野家\n低保标准每人每月300元。\n"
    path.write_bytes(text.encode("gb18030"))
    assert read_document(path) == text


# -- Markdown -----------------------------------------------------------------------------


def test_markdown_keeps_words_and_numbering_drops_markup(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(
        "# 教育扶贫政策\n\n"
        "## （一）资助标准\n\n"
        "学前教育每生每年补助**1000元**，详见[县教育局通知](http://jyj.example.gov.cn/1.html)。\n\n"
        "- 普通高中免除*学杂费*\n"
        "1. 中职学生享受国家助学金\n\n"
        "> 咨询电话：12317\n\n"
        "---\n\n"
        "| 学段 | 标准 |\n|---|---:|\n| 小学 | 1000元 |\n",
        encoding="utf-8",
    )
    assert _lines(read_document(path)) == [
        "教育扶贫政策",
        "（一）资助标准",
        "学前教育每生每年补助1000元，详见县教育局通知。",
        "普通高中免除学杂费",
        "1. 中职学生享受国家助学金",
        "咨询电话：12317",
        "学段 标准",
        "小学 1000元",
    ]


# -- HTML ---------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>镇头镇扶贫政策</title>
<style>.art {{ font-size: 14px }}</style>
<script>var visits = 1024; document.write("已浏览");</script></head>
<body>
<header><a href="/">网站首页</a> | 政务公开</header>
<nav><a href="/">首页</a> &gt; 政策文件</nav>
<div class="art">
  <h1>关于印发脱贫攻坚
  工作方案的通知</h1>
  <div class="info">发布时间：2019-05-14 来源：镇头镇 字体大小：<a>大</a> <a>中</a> <a>小</a></div>
  <p>一、住房保障</p>
  <p>{policy}<br>责任人：朱镕基</p>
  <table><tr><td>对象</td><td>标准</td></tr><tr><td>低保户</td><td>300元</td></tr></table>
  <!-- 统计代码 -->
</div>
<footer>版权所有 浏阳市人民政府 扫一扫在手机打开当前页</footer>
</body></html>
"""


def test_html_page_in_gbk_loses_furniture_and_keeps_blocks(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.format(policy=POLICY).encode("gbk"))  # declared gb2312, 镕 is GBK
    text = read_document(path)
    for furniture in ("visits", "font-size", "网站首页", "版权所有", "统计代码", "扫一扫"):
        assert furniture not in text
    assert _lines(strip_chrome(text)) == [
        "镇头镇扶贫政策",
        "关于印发脱贫攻坚工作方案的通知",
        "一、住房保障",
        POLICY,
        "责任人：朱镕基",
        "对象 标准",
        "低保户 300元",
    ]


def test_html_in_utf8_with_htm_suffix(tmp_path):
    path = tmp_path / "page.HTM"
    path.write_text(f"<html><body><p>二、医疗保障</p><p>{POLICY}</p></body></html>", "utf-8")
    assert _lines(read_document(path)) == ["二、医疗保障", POLICY]


# -- Word ---------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_in_document_order(tmp_path):
    document = docx.Document()
    document.add_heading("新平县教育扶贫实施细则", level=1)
    document.add_paragraph("（一）资助标准")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "学段"
    table.cell(0, 1).text = "标准"
    table.cell(0, 2).text = "责任单位"
    table.cell(1, 0).text = "普通高中"
    table.cell(1, 1).merge(table.cell(1, 2)).text = "每生每年2500元，县教育局"
    document.add_paragraph(POLICY)
    path = tmp_path / "rules.docx"
    document.save(path)

    assert _lines(read_document(path)) == [
        "新平县教育扶贫实施细则",
        "（一）资助标准",
        "学段",
        "标准",
        "责任单位",
        "普通高中",
        "每生每年2500元，县教育局",
        POLICY,
    ]


# -- PDF ----------------------------------------------------------------------------------


def test_pdf_pages_joined_in_order_with_chinese_text(tmp_path):
    path = tmp_path / "notice.pdf"
    write_pdf(path, [["一、住房保障", POLICY], ["Annex 2: contact 12317", "二、医疗保障"]])
    lines = _lines(read_document(path))
    assert lines == ["一、住房保障", POLICY, "Annex 2: contact 12317", "二、医疗保障"]


def test_pdf_without_a_text_layer_is_unreadable(tmp_path):
    path = tmp_path / "scan.pdf"
    write_pdf(path, [[]])
    with pytest.raises(UnreadableDocument, match=r"scan.pdf: no text"):
        read_document(path)


# -- failures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.txt", b""),
        ("blank.md", "\n \u3000\n".encode()),
        ("broken.docx", b"PK\x03\x04 this is not a zip archive"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage"),
        ("sheet.xlsx", b"PK\x03\x04"),
        ("binary.txt", bytes(range(128, 256)) * 4),
    ],
)
def test_each_unreadable_file_names_itself(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument) as caught:
        read_document(path)
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{name}: ")


def test_docx_archive_without_document_part_is_unreadable(tmp_path):
    import zipfile

    path = tmp_path / "half.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(UnreadableDocument, match=r"half.docx"):
        read_document(path)


def test_load_skips_bad_files_by_name_and_loads_the_rest(tmp_path):
    good_txt = tmp_path / "a.txt"
    good_txt.write_text(POLICY, encoding="utf-8")
    good_pdf = tmp_path / "b.pdf"
    write_pdf(good_pdf, [["三、教育保障", POLICY]])
    document = docx.Document()
    document.add_paragraph(POLICY)
    good_docx = tmp_path / "c.docx"
    document.save(good_docx)
    empty = tmp_path / "d.txt"
    empty.write_bytes(b"")
    corrupt_docx = tmp_path / "e.docx"
    corrupt_docx.write_bytes(b"not a word file")
    corrupt_pdf = tmp_path / "f.pdf"
    corrupt_pdf.write_bytes(b"%PDF-1.7\n%%EOF")

    paths = [good_txt, empty, good_pdf, corrupt_docx, good_docx, corrupt_pdf]
    loaded, failed = load_documents(paths)

    assert [path for path, _ in loaded] == [good_txt, good_pdf, good_docx]
    assert all(POLICY in text for _, text in loaded)
    assert [error.path.name for error in failed] == ["d.txt", "e.docx", "f.pdf"]
    assert all(error.reason for error in failed)
