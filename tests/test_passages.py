"""Passages: chat-sized (≤ 500 characters), nothing lost, and never cut inside a number.

A cut between 9. and 6公里 or between 1, and 000元 would show a resident the wrong figure.
"""

from __future__ import annotations

import itertools
import re

import pytest

from knowledge.ingest import load_corpus
from knowledge.manifest import load_manifest
from knowledge.models import Clause, DocumentInfo, Section
from knowledge.passages import MAX_CHARS, make_passages, neighbour_ids, with_units

NUMBER = re.compile(r"\d+(?:[.,．]\d+)*[%％]?")
DOC = DocumentInfo(
    id="t",
    title="测试县脱贫攻坚实施方案",
    issuer="测试县人民政府",
    region="测试县",
    date="2019-01-01",
)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_real_passage_fits_in_a_chat(corpus):
    assert len(corpus.passages) > 100
    too_long = [(p.id, len(p.text)) for p in corpus.passages if len(p.text) > MAX_CHARS]
    assert not too_long
    assert all(p.text.strip() for p in corpus.passages)


def test_no_real_passage_boundary_falls_inside_a_number(corpus):
    passages = corpus.passages
    cuts = [
        (a.id, a.text[-12:], b.text[:12])
        for a, b in itertools.pairwise(passages)
        if a.doc_id == b.doc_id
        and a.text[-1].isdigit()
        and (b.text[0].isdigit() or b.text[0] in ".．,，%％")
    ]
    assert not cuts


def test_real_passages_lose_no_text_and_no_figure(corpus):
    for doc_id, sections in corpus.sections.items():
        for section in sections:
            pieces = [
                p.text
                for p in corpus.passages
                if p.doc_id == doc_id and p.heading_path == section.heading_path
            ]
            joined = _squash("".join(pieces))
            assert _squash(section.text) in joined, (doc_id, section.heading_path)
            for number in NUMBER.findall(section.text):
                assert any(number in piece for piece in pieces), (
                    doc_id,
                    section.heading_path,
                    number,
                )


def _sentence_with(figure: str, at: int, length: int = 1200) -> str:
    """A comma-free 1,200-character sentence with `figure` starting at offset `at`."""
    filler = "对建档立卡贫困户给予产业发展补助并修建通村道路"
    body = (filler * (length // len(filler) + 2))[: length - len(figure) - 1]
    return body[:at] + figure + body[at:] + "。"


@pytest.mark.parametrize("figure", ["9.6公里", "1,000元", "12.5%", "2,000,000元", "0.85万元"])
@pytest.mark.parametrize("offset", range(-6, 3))
def test_a_long_sentence_is_split_without_breaking_its_numbers(figure, offset):
    # Put the figure across the 500-character limit, one position at a time.
    text = _sentence_with(figure, MAX_CHARS + offset)
    section = Section("t", ("一、措施", "(一)住房"), ((Clause(text),),))
    passages = make_passages(DOC, [section])
    assert len(passages) >= 3
    assert all(len(p.text) <= MAX_CHARS for p in passages)
    assert "".join(p.text for p in passages) == text
    number = NUMBER.search(figure).group(0)
    assert any(number in p.text for p in passages), [p.text[-8:] + "|" for p in passages]


def test_clause_breaks_are_preferred_but_a_thousands_separator_is_no_clause_break():
    head = "对建档立卡贫困户给予产业发展补助," * 20  # commas well before the limit
    text = head[: MAX_CHARS - 8] + "每户补助1,000元" + "并修建通村道路" * 100 + "。"
    passages = make_passages(DOC, [Section("t", ("一、措施",), ((Clause(text),),))])
    assert any("1,000元" in p.text for p in passages)
    assert not any(p.text.endswith("1,") for p in passages)
    assert passages[0].text.endswith(",")  # cut at the last real comma, not mid-phrase


def test_short_sentences_are_packed_and_never_split():
    sentences = [f"第{i}项措施是每户补助{i * 100}元。" for i in range(1, 80)]
    section = Section("t", ("一、措施",), ((Clause("".join(sentences)),),))
    passages = make_passages(DOC, [section])
    assert len(passages) > 1
    for p in passages:
        assert len(p.text) <= MAX_CHARS
        assert p.text.endswith("。")  # each passage ends on a sentence boundary
    assert "".join(p.text for p in passages) == "".join(sentences)


def test_passages_carry_document_and_heading_path():
    sections = [
        Section("t", ("一、措施", "(一)住房"), ((Clause("危房改造每户补助2万元。" * 60),),)),
        Section(
            "t", ("一、措施", "(二)教育"), ((Clause("每生每年补助1000元。", (), ("县教育局",)),),)
        ),
    ]
    passages = make_passages(DOC, sections)
    assert {p.heading_path for p in passages} == {
        ("一、措施", "(一)住房"),
        ("一、措施", "(二)教育"),
    }
    for p in passages:
        assert (p.title, p.region, p.issuer, p.date, p.doc_id) == (
            DOC.title,
            "测试县",
            "测试县人民政府",
            "2019-01-01",
            "t",
        )
    assert len({p.id for p in passages}) == len(passages)
    education = [p for p in passages if p.heading_path[-1] == "(二)教育"]
    assert education[0].responsible_units == ("县教育局",)


def test_every_real_passage_has_its_document_title_region_and_heading_path(corpus):
    documents = {d.id: d for d in load_manifest()}
    headed = 0
    for doc_id in documents:
        passages = [p for p in corpus.passages if p.doc_id == doc_id]
        assert passages, doc_id
        seen_heading = False
        for p in passages:
            assert p.title == documents[doc_id].title
            assert p.region == documents[doc_id].region
            assert p.issuer == documents[doc_id].issuer
            if p.heading_path:
                seen_heading = True
                headed += 1
            else:
                # Only the document's preamble, before its first heading, has no path.
                assert not seen_heading, p.id
    assert headed >= 0.9 * len(corpus.passages)


def test_a_passage_keeps_its_clauses_unit_brackets_verbatim():
    bracket = "(牵头单位:县林业局;责任单位:县财政局、县扶贫办)"
    clause = Clause("聘用生态护林员。", ("县林业局",), ("县财政局", "县扶贫办"), bracket)
    [passage] = make_passages(DOC, [Section("t", ("一、措施",), ((clause, Clause("其他。")),))])
    assert passage.units_text == bracket and passage.has_units
    assert bracket not in passage.text  # not searched or read as policy


def test_shown_for_who_the_units_lead_and_the_passage_still_fits():
    bracket = "[责任单位:县住建局、县民政局]"
    text = "".join(f"第{i}项措施每户补助{i}万元。" for i in range(1, 60))
    clause = Clause(text, (), ("县住建局", "县民政局"), bracket)
    [first, *_] = make_passages(DOC, [Section("t", ("一、措施",), ((clause,),))])
    shown = with_units(first)
    assert shown.text.startswith(bracket + "\n") and len(shown.text) <= MAX_CHARS
    assert shown.text.endswith("。") and shown.id == first.id
    plain = make_passages(DOC, [Section("t", ("一、措施",), ((Clause("每户补助1万元。"),),))])[0]
    assert with_units(plain) is plain


def test_a_passage_knows_its_neighbours_in_the_document():
    assert neighbour_ids("004-0010", 2) == ["004-0011", "004-0012", "004-0009", "004-0008"]
    assert neighbour_ids("004-0000", 1) == ["004-0001"]
