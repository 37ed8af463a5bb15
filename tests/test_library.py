"""The library of documents admins add: kept under DATA_DIR/documents with its own manifest,
loaded with the shipped corpus, never written into it; a reload never costs a question."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import docx
import pytest

from knowledge import index
from knowledge.ingest import corpus_hash
from knowledge.library import Library
from knowledge.readers import UnreadableDocument
from knowledge.service import LIBRARY_DIR, KnowledgeBase
from tests.index_support import copy_corpus, current_version, found, run_bot

BEES = (
    "一、扶持对象\n"
    "(一)养蜂补助\n"
    "对发展中华蜜蜂养殖的建档立卡贫困户，每箱蜜蜂补助150元，每户最多补助20箱。\n"
)
ADDED_AT = "2026-11-23T01:00:00+00:00"


def _file(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / "upload" / name
    path.parent.mkdir(exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _add(library: Library, path: Path, name: str | None = None, region: str = "镇头镇"):
    return library.add(
        path,
        original_name=name or path.name,
        region=region,
        parents=("浏阳市", "长沙市", "湖南省"),
        added_by=1,
        added_at=ADDED_AT,
    )


def test_added_documents_are_listed_persist_and_are_removed(tmp_path):
    root = tmp_path / "documents"
    library = Library(root)
    assert library.entries() == []
    bees = _add(library, _file(tmp_path, "镇头镇养蜂补助办法.txt", BEES))
    hogs = _add(
        library, _file(tmp_path, "scan01.txt", "生猪养殖补助细则\n" + BEES.replace("蜜蜂", "生猪"))
    )

    assert (bees.document.id, hogs.document.id) == ("L001", "L002")
    assert bees.document.title == "镇头镇养蜂补助办法"  # the file name says what it is
    assert hogs.document.title == "生猪养殖补助细则"  # "scan01" says nothing: the first line does
    assert bees.document.level == "镇" and bees.document.jurisdiction == (
        "镇头镇",
        "浏阳市",
        "长沙市",
        "湖南省",
    )
    assert (bees.added_by, bees.added_at, bees.original_name) == (
        1,
        ADDED_AT,
        "镇头镇养蜂补助办法.txt",
    )

    reopened = Library(root)  # a restart
    assert [e.document.id for e in reopened.entries()] == ["L001", "L002"]
    assert reopened.remove("L001").document.title == "镇头镇养蜂补助办法"
    assert reopened.remove("L001") is None
    assert not (root / bees.document.file).exists()
    assert [e.document.id for e in Library(root).entries()] == ["L002"]
    # A removed id is never handed out again, so an old /remove cannot hit a new document.
    again = _add(reopened, _file(tmp_path, "第三份.txt", BEES))
    assert again.document.id == "L003"
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in manifest["documents"]] == ["L002", "L003"]


def test_a_word_file_keeps_its_text(tmp_path):
    document = docx.Document()
    for line in BEES.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "bees.docx"
    document.save(str(path))
    entry = _add(Library(tmp_path / "documents"), path, name="养蜂补助.docx")
    assert entry.document.file == "L001.docx"
    assert (tmp_path / "documents" / "L001.docx").read_bytes() == path.read_bytes()


@pytest.mark.parametrize(
    "name, content",
    [
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf"),
        ("empty.txt", "   \n"),
        ("table.xlsx", b"PK\x03\x04"),
        ("noext", "一、扶持对象\n补助150元。"),
    ],
)
def test_a_broken_document_is_refused_and_nothing_is_kept(tmp_path, name, content):
    root = tmp_path / "documents"
    library = Library(root)
    with pytest.raises(UnreadableDocument):
        _add(library, _file(tmp_path, name, content))
    assert library.entries() == []
    assert not root.exists() or [p.name for p in root.iterdir()] == []


def test_the_knowledge_base_answers_from_the_library_and_leaves_the_shipped_corpus_alone(tmp_path):
    corpus = copy_corpus(tmp_path / "corpus", ("002", "003"))
    shipped = {p.name: p.read_bytes() for p in corpus.iterdir()}
    data = tmp_path / "data"
    kb = KnowledgeBase.open(data, corpus)
    before = current_version(data)
    assert not found(kb, "养蜜蜂有补助吗", "L001")

    entry, state = kb.add_document(
        _file(tmp_path, "镇头镇养蜂补助办法.txt", BEES),
        original_name="镇头镇养蜂补助办法.txt",
        region="镇头镇",
        parents=("浏阳市", "长沙市", "湖南省"),
        added_by=1,
        added_at=ADDED_AT,
    )
    assert state.passage_counts()[entry.document.id] >= 1
    assert [d.id for d in kb.documents] == ["002", "003", "L001"]
    answer = kb.ask("养蜜蜂每箱补助多少钱", "镇头镇")
    assert (
        not answer.abstained and "150元" in answer.text and "《镇头镇养蜂补助办法》" in answer.text
    )
    assert {p.name: p.read_bytes() for p in corpus.iterdir()} == shipped
    assert (data / LIBRARY_DIR / "manifest.json").exists()
    assert sorted(p.name for p in (data / "index").iterdir()) == sorted(
        [index.CURRENT, current_version(data)]
    )
    assert current_version(data) != before

    # A restart (and `python -m bot reindex`, which opens the same data dir) sees the library.
    assert found(KnowledgeBase.open(data, corpus), "养蜜蜂有补助吗", "L001")

    removed, state = kb.remove_document("L001")
    assert removed.document.id == "L001" and "L001" not in state.passage_counts()
    assert not found(kb, "养蜜蜂有补助吗", "L001")
    assert kb.remove_document("L001") is None
    assert kb.remove_document("002") is None  # shipped plans are not the library's to remove
    assert corpus_hash(corpus, data / LIBRARY_DIR) != corpus_hash(
        corpus
    )  # an emptied library still counts


def test_a_broken_upload_keeps_the_old_index(tmp_path):
    data = tmp_path / "data"
    kb = KnowledgeBase.open(data, copy_corpus(tmp_path / "corpus", ("002",)))
    version, answer = current_version(data), kb.ask("易地扶贫搬迁人均建房面积不超过多少").text
    with pytest.raises(UnreadableDocument):
        kb.add_document(
            _file(tmp_path, "broken.pdf", b"%PDF-1.4 garbage"),
            original_name="broken.pdf",
            region="湖北省",
            parents=(),
            added_by=1,
            added_at=ADDED_AT,
        )
    assert current_version(data) == version and kb.state.version == version
    assert kb.library.entries() == []
    assert kb.ask("易地扶贫搬迁人均建房面积不超过多少").text == answer


def test_a_failed_rebuild_drops_the_new_document_again(tmp_path, monkeypatch):
    data = tmp_path / "data"
    kb = KnowledgeBase.open(data, copy_corpus(tmp_path / "corpus", ("002",)))
    version = current_version(data)
    monkeypatch.setattr(index, "build", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        kb.add_document(
            _file(tmp_path, "养蜂.txt", BEES),
            original_name="养蜂.txt",
            region="湖北省",
            parents=(),
            added_by=1,
            added_at=ADDED_AT,
        )
    assert kb.library.entries() == [] and kb.state.version == version


def test_questions_asked_during_reloads_are_all_answered(tmp_path):
    """Threads ask while the index is rebuilt and swapped again and again: no error, no loss."""
    data = tmp_path / "data"
    kb = KnowledgeBase.open(data, copy_corpus(tmp_path / "corpus", ("002", "003")))
    upload = _file(tmp_path, "养蜂.txt", BEES)
    expected = kb.ask("易地扶贫搬迁人均建房面积不超过多少").text
    errors: list[BaseException] = []
    answers: list[str] = []
    done = threading.Event()

    def ask() -> None:
        while not done.is_set():
            try:
                answers.append(kb.ask("易地扶贫搬迁人均建房面积不超过多少").text)
            except BaseException as exc:  # noqa: BLE001 - any failure is what the test looks for
                errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        kb.add_document(
            upload,
            original_name="养蜂.txt",
            region="湖北省",
            parents=(),
            added_by=1,
            added_at=ADDED_AT,
        )
        kb.remove_document(kb.library.entries()[0].document.id)
        kb.reload(force=True)
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert answers and set(answers) == {expected}
    # Old versions go once no question uses them; at most the one just retired may linger.
    versions = [
        p.name for p in (data / "index").iterdir() if p.is_dir() and not p.name.startswith(".")
    ]
    assert kb.state.version in versions and len(versions) <= 2


def test_reindex_command_includes_the_library(tmp_path):
    """`python -m bot reindex` (CORPUS_DIR honoured) indexes the library under DATA_DIR as well."""
    corpus = copy_corpus(tmp_path / "corpus", ("002", "003"))
    data = tmp_path / "data"
    _add(Library(data / LIBRARY_DIR), _file(tmp_path, "镇头镇养蜂补助办法.txt", BEES))
    result = run_bot(["reindex"], data, corpus)
    assert result.returncode == 0, result.stderr
    assert "3 documents" in result.stdout
    assert found(KnowledgeBase.open(data, corpus), "养蜜蜂有补助吗", "L001")


def test_complaints_about_an_added_plan_go_to_the_units_it_names(tmp_path):
    """Routing reads the library too, so a county's own plan routes its complaints after a restart."""
    from knowledge.manifest import DEFAULT_CORPUS
    from knowledge.routing import Router

    plan = (
        "一、产业扶贫\n(一)发展特色产业\n支持贫困户发展特色种养业，每户产业奖补不超过5000元。"
        "(牵头单位:县农业农村局;责任单位:县财政局)\n"
        "二、教育扶贫\n(一)学生资助\n建档立卡贫困家庭学生在校期间享受生活补助，每生每年1500元。(牵头单位:县教育局)\n"
        "三、健康扶贫\n(一)医疗保障\n贫困人口住院费用报销比例不低于90%，实行先诊疗后付费。"
        "(牵头单位:县医疗保障事务中心;责任单位:县卫生健康局)\n"
        "四、住房保障\n(一)危房改造\n对居住在危房中的贫困户实施改造，每户补助2万元。(牵头单位:县住建局)\n"
        "五、工作保障\n(一)加强领导\n县扶贫开发领导小组办公室负责统筹协调，受理群众反映的问题。(牵头单位:县扶贫办)\n"
    )
    library = Library(tmp_path / "documents")
    library.add(
        _file(tmp_path, "宁乡县脱贫攻坚实施方案.txt", plan),
        original_name="宁乡县脱贫攻坚实施方案.txt",
        region="宁乡县",
        parents=("长沙市", "湖南省"),
        added_by=1,
        added_at=ADDED_AT,
    )
    complaint = "我家是贫困户，住院报销比例不到九成，还让先交钱"

    without = Router.from_corpus(DEFAULT_CORPUS).route(complaint, region="宁乡县")
    routed = Router.from_corpus(DEFAULT_CORPUS, library.root).route(complaint, region="宁乡县")
    assert "县医疗保障事务中心" not in without.units
    assert routed.region == "宁乡县" and routed.units == ["县医疗保障事务中心", "县卫生健康局"]
