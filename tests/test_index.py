"""The on-disk index: built on first open, rebuilt when the corpus changes, never left
half-written, and tolerant of a bad file in the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from whoosh.writing import SegmentWriter

from knowledge import index
from knowledge.ingest import corpus_hash, load_corpus
from knowledge.service import KnowledgeBase
from tests.index_support import copy_corpus, current_version, found, run_bot

NEW_DOCUMENT = (
    "测试县蜂产业扶贫实施办法\n"
    "一、扶持对象\n"
    "(一)养蜂补助\n"
    "对发展中华蜜蜂养殖的建档立卡贫困户，每箱蜜蜂补助150元，每户最多补助20箱。\n"
)
NEW_ENTRY = {
    "id": "900",
    "file": "900_bees.txt",
    "title": "测试县蜂产业扶贫实施办法",
    "issuer": "测试县人民政府",
    "region": "测试县",
    "parents": ["测试市"],
    "level": "县",
    "date": "2020-03-01",
}


def _add_document(corpus: Path, entry: dict, text: str | bytes) -> None:
    path = corpus / entry["file"]
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    manifest["documents"].append(entry)
    (corpus / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False), encoding="utf-8"
    )


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Two of the shipped documents: enough to search, quick to index."""
    return copy_corpus(tmp_path / "corpus", ("002", "003"))


def test_open_builds_the_index_of_the_whole_shipped_corpus(tmp_path):
    corpus = copy_corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    kb = KnowledgeBase.open(data, corpus)
    version = current_version(data)
    assert (data / "index" / version / index.PASSAGES).exists()
    assert version.startswith(corpus_hash(corpus))
    assert kb.passage_count == len(load_corpus(corpus).passages) > 100
    assert [d.region for d in kb.documents] == ["闽清县", "淮安区", "湖北省", "镇头镇", "新平县"]
    assert kb.state.problems == []
    answer = kb.ask("危房改造有什么补助")
    assert not answer.abstained and answer.hits


def test_reopening_an_unchanged_corpus_does_not_rebuild(small_corpus, tmp_path, monkeypatch):
    data = tmp_path / "data"
    KnowledgeBase.open(data, small_corpus)
    version = current_version(data)

    def no_build(*args, **kwargs):
        raise AssertionError("the index was rebuilt although nothing changed")

    monkeypatch.setattr(index, "build", no_build)
    kb = KnowledgeBase.open(data, small_corpus)
    assert current_version(data) == version
    assert found(kb, "易地扶贫搬迁", "002", "搬迁")


def test_adding_a_document_rebuilds_on_the_next_open(small_corpus, tmp_path):
    data = tmp_path / "data"
    before_hash = corpus_hash(small_corpus)
    kb = KnowledgeBase.open(data, small_corpus)
    old_version = current_version(data)
    assert not found(kb, "养蜜蜂有补助吗", "900")

    _add_document(small_corpus, NEW_ENTRY, NEW_DOCUMENT)
    assert corpus_hash(small_corpus) != before_hash

    reopened = KnowledgeBase.open(data, small_corpus)
    assert current_version(data) != old_version
    assert not (data / "index" / old_version).exists()  # the stale version is cleaned up
    assert "测试县" in reopened.regions
    assert found(reopened, "养蜜蜂有补助吗", "900")
    answer = reopened.ask("养蜜蜂每箱补助多少钱", "测试县")
    assert not answer.abstained
    assert "150元" in answer.text and "《测试县蜂产业扶贫实施办法》" in answer.text


def test_editing_a_document_changes_the_hash_and_a_running_bot_reloads_it(small_corpus, tmp_path):
    data = tmp_path / "data"
    kb = KnowledgeBase.open(data, small_corpus)
    before = corpus_hash(small_corpus)
    path = small_corpus / "003_zhentou.txt"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\n(九)养蜂增收\n对养殖中华蜜蜂的贫困户每箱补助150元。\n",
        encoding="utf-8",
    )
    assert corpus_hash(small_corpus) != before
    assert not found(kb, "养蜜蜂有补助吗", "003")
    kb.reload()
    assert found(kb, "养蜜蜂有补助吗", "003")


def test_a_build_failing_midway_leaves_the_previous_index_in_use(
    small_corpus, tmp_path, monkeypatch
):
    data = tmp_path / "data"
    kb = KnowledgeBase.open(data, small_corpus)
    old_version = current_version(data)
    old_answer = kb.ask("易地扶贫搬迁人均建房面积不超过多少")
    assert not old_answer.abstained

    _add_document(small_corpus, NEW_ENTRY, NEW_DOCUMENT)
    written = []
    original = SegmentWriter.add_document

    def failing_add_document(self, **fields):
        written.append(fields["id"])
        if len(written) > 5:
            raise OSError("disk full")
        return original(self, **fields)

    monkeypatch.setattr(SegmentWriter, "add_document", failing_add_document)
    with pytest.raises(OSError):
        kb.reload()
    assert len(written) > 5  # it really failed midway, not before starting

    assert current_version(data) == old_version
    assert sorted(p.name for p in (data / "index").iterdir()) == sorted(
        [index.CURRENT, old_version]
    )
    assert kb.ask("易地扶贫搬迁人均建房面积不超过多少").text == old_answer.text
    # Another process starting now still gets a working knowledge base from the old index.
    monkeypatch.setattr(index, "build", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        KnowledgeBase.open(data, small_corpus)
    assert current_version(data) == old_version

    monkeypatch.undo()
    recovered = KnowledgeBase.open(data, small_corpus)
    assert current_version(data) != old_version
    assert found(recovered, "养蜜蜂有补助吗", "900")


def test_unreadable_files_are_reported_by_name_and_the_rest_load(small_corpus, tmp_path):
    _add_document(
        small_corpus,
        {**NEW_ENTRY, "id": "901", "file": "broken.docx"},
        b"PK\x03\x04 this is no zip archive",
    )
    _add_document(small_corpus, {**NEW_ENTRY, "id": "902", "file": "empty.txt"}, "")
    _add_document(small_corpus, {**NEW_ENTRY, "id": "903", "file": "missing.pdf"}, b"")
    (small_corpus / "missing.pdf").unlink()

    kb = KnowledgeBase.open(tmp_path / "data", small_corpus)
    problems = " | ".join(kb.state.problems)
    for name in ("broken.docx", "empty.txt", "missing.pdf"):
        assert name in problems
    assert len(kb.state.problems) == 3
    assert kb.regions == ["湖北省", "镇头镇"]
    assert not kb.ask("易地扶贫搬迁人均建房面积不超过多少").abstained


def test_reindex_command_prints_the_counts(small_corpus, tmp_path):
    data = tmp_path / "data"
    _add_document(
        small_corpus, {**NEW_ENTRY, "id": "901", "file": "broken.docx"}, b"not a word file"
    )
    result = run_bot(["reindex"], data, small_corpus)
    assert result.returncode == 0, result.stderr
    expected = len(load_corpus(small_corpus).passages)
    assert f"2 documents, {expected} passages" in result.stdout
    assert "broken.docx" in result.stderr
    assert (data / "index" / current_version(data) / index.PASSAGES).exists()


def test_reindex_command_on_the_shipped_corpus(tmp_path):
    data = tmp_path / "data"
    result = run_bot(["reindex"], data)
    assert result.returncode == 0, result.stderr
    expected = len(load_corpus().passages)
    assert f"5 documents, {expected} passages" in result.stdout
    assert current_version(data) in result.stdout
