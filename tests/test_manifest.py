"""The shipped manifest: five documents, whose rules they are, and the regions above them.

Citations print the title, issuer and date; region ranking and place recognition use the
region chains, so each is checked against what the documents themselves state.
"""

from __future__ import annotations

import json
import re

import pytest

from knowledge.manifest import DEFAULT_CORPUS, load_manifest
from knowledge.places import Gazetteer, Place
from knowledge.readers import read_document

EXPECTED = {
    "000": (
        "闽清县",
        ("福州市", "福建省"),
        "县",
        "2019-11-21",
        "中共闽清县委 闽清县人民政府关于打好脱贫攻坚战三年行动的实施方案",
    ),
    "001": (
        "淮安区",
        ("淮安市", "江苏省"),
        "区",
        "2019-02-14",
        "关于打赢脱贫攻坚战三年行动的实施意见",
    ),
    "002": ("湖北省", (), "省", "2018-04-27", "2018年全省脱贫攻坚工作要点"),
    "003": (
        "镇头镇",
        ("浏阳市", "长沙市", "湖南省"),
        "镇",
        "2019-04-25",
        "镇头镇打赢脱贫攻坚战行动工作方案(2019—2020年)",
    ),
    "004": (
        "新平县",
        ("玉溪市", "云南省"),
        "县",
        "2018-11-28",
        "新平县脱贫攻坚巩固提升三年行动实施方案（2018—2020年）",
    ),
}


@pytest.fixture(scope="module")
def documents():
    return {d.id: d for d in load_manifest()}


def test_five_documents_in_file_order(documents):
    assert list(documents) == ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_region_chain_title_level_and_date(documents, doc_id):
    region, parents, level, date, title = EXPECTED[doc_id]
    doc = documents[doc_id]
    assert doc.region == region
    assert doc.parents == parents
    assert doc.jurisdiction == (region, *parents)
    assert doc.level == level
    assert doc.date == date
    assert doc.title == title
    assert doc.issuer


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_manifest_agrees_with_the_document_text(documents, doc_id):
    doc = documents[doc_id]
    text = read_document(DEFAULT_CORPUS / doc.file)
    squashed = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", doc.title) in squashed
    year, month, day = (int(x) for x in doc.date.split("-"))
    stated = {
        f"{year}年{month}月{day}日",
        f"{year}-{month:02d}-{day:02d}",
        f"{year}/{month:02d}/{day:02d}",
    }
    assert any(s in text for s in stated), stated
    assert doc.region in text or doc.region.rstrip("省") in text
    for unit in re.split(r"[、，,]", doc.issuer):
        assert unit.strip() in squashed, unit


def test_document_number_only_where_the_text_states_one(documents):
    assert documents["004"].doc_number == "新发〔2018〕24号"
    assert "新发〔2018〕24号" in read_document(DEFAULT_CORPUS / documents["004"].file)
    assert [d.id for d in documents.values() if d.doc_number] == ["004"]


def test_every_listed_file_ships_and_every_shipped_file_is_listed():
    listed = {d.file for d in load_manifest()}
    shipped = {p.name for p in DEFAULT_CORPUS.iterdir() if p.name != "manifest.json"}
    assert listed == shipped


def test_gazetteer_chains_follow_the_manifest(documents):
    gazetteer = Gazetteer(list(documents.values()))
    assert gazetteer.chain("镇头镇") == ("镇头镇", "浏阳市", "长沙市", "湖南省")
    assert gazetteer.chain("浏阳市") == ("浏阳市", "长沙市", "湖南省")
    assert gazetteer.chain("闽清县") == ("闽清县", "福州市", "福建省")
    assert gazetteer.chain("淮安区") == ("淮安区", "淮安市", "江苏省")
    assert gazetteer.chain("新平县") == ("新平县", "玉溪市", "云南省")
    assert gazetteer.chain("湖北省") == ("湖北省",)


def test_a_town_whose_short_name_is_an_everyday_word_is_known_after_its_county(documents):
    gazetteer = Gazetteer(list(documents.values()))
    for text, town in (
        ("新平水塘的低保", "水塘镇"),
        ("我是新平县新化的", "新化乡"),
        ("新平建兴这边", "建兴乡"),
    ):
        assert gazetteer.find(text) == Place(town, "新平县"), text
    assert gazetteer.find("村口水塘边的路") is None


def test_manifest_entries_keep_their_order_and_optional_fields(tmp_path):
    entries = [
        {"id": "b", "file": "b.txt", "title": "乙", "region": "乙县"},
        {
            "id": "a",
            "file": "a.txt",
            "title": "甲",
            "region": "甲县",
            "parents": ["甲市"],
            "date": "2020-01-01",
        },
    ]
    (tmp_path / "manifest.json").write_text(
        json.dumps({"documents": entries}, ensure_ascii=False), encoding="utf-8"
    )
    docs = load_manifest(tmp_path)
    assert [d.id for d in docs] == ["b", "a"]
    assert docs[0].parents == () and docs[0].date is None and docs[0].issuer == ""
    assert docs[1].jurisdiction == ("甲县", "甲市")
