"""Document outline: heading paths (with repaired numerals) and responsible-unit lists.

The heading path is what a resident sees in a citation, and the unit lists are where a
complaint goes, so both are checked on synthetic text and on the shipped documents.
"""

from __future__ import annotations

import re

import pytest

from knowledge.cleaning import strip_chrome
from knowledge.ingest import load_corpus
from knowledge.manifest import DEFAULT_CORPUS, load_manifest
from knowledge.readers import read_document
from knowledge.structure import parse_sections
from knowledge.units import find_unit_lists, is_catch_all, split_units


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def _doc_sections(corpus, doc_id):
    return corpus.sections[doc_id]


def _paths(sections):
    return [s.heading_path for s in sections]


def _section(sections, last_title):
    found = [s for s in sections if s.heading_path and s.heading_path[-1] == last_title]
    assert found, f"no section titled {last_title!r}; have {[s.heading_path for s in sections]}"
    return found[0]


# -- headings ---------------------------------------------------------------------------


def test_damaged_numerals_are_repaired_by_counting_siblings():
    text = "一、总体要求\n()指导思想\n坚持精准扶贫。\n()目标任务\n到2020年全面脱贫。\n()工作要求\n坚持标准。\n"
    paths = _paths(parse_sections("t", text))
    assert paths == [
        ("一、总体要求", "(一)指导思想"),
        ("一、总体要求", "(二)目标任务"),
        ("一、总体要求", "(三)工作要求"),
    ]


def test_repair_restarts_under_a_new_parent_and_follows_intact_siblings():
    text = (
        "一、总体要求\n()指导思想\n甲。\n()目标任务\n乙。\n"
        "二、主要措施\n()产业扶贫\n丙。\n(二)就业扶贫\n丁。\n()教育扶贫\n戊。\n"
    )
    paths = _paths(parse_sections("t", text))
    assert ("二、主要措施", "(一)产业扶贫") in paths
    assert ("二、主要措施", "(三)教育扶贫") in paths
    assert not any("()" in title for path in paths for title in path)


def test_every_heading_style_nests_into_a_path():
    text = (
        "一、主要措施\n"
        "（一）加强住房保障\n"
        "1.危房改造\n对建档立卡贫困户给予补助。\n"
        "（1）鉴定程序\n每户鉴定一次。\n"
        "2.易地搬迁\n按时完成搬迁任务。\n"
        "二、组织保障\n(一)加强领导\n落实责任。\n"
    )
    paths = _paths(parse_sections("t", text))
    assert paths == [
        ("一、主要措施", "（一）加强住房保障", "1.危房改造"),
        ("一、主要措施", "（一）加强住房保障", "1.危房改造", "（1）鉴定程序"),
        ("一、主要措施", "（一）加强住房保障", "2.易地搬迁"),
        ("二、组织保障", "(一)加强领导"),
    ]


def test_a_number_opening_a_sentence_is_no_heading():
    """2.5万元 or 30% at the start of a line is a figure, not a level-3 heading."""
    text = "一、目标\n(一)收入\n2.5万元以上的村占到一半。\n"
    sections = parse_sections("t", text)
    assert _paths(sections) == [("一、目标", "(一)收入")]
    assert "2.5万元" in sections[0].text


def test_inline_heading_gives_the_title_without_the_body():
    text = "二、建立稳定脱贫长效机制\n(四)深化教育扶贫。实施建档立卡贫困家庭学生台账化,确保适龄学生不因贫失学。\n"
    [section] = parse_sections("t", text)
    assert section.heading_path == ("二、建立稳定脱贫长效机制", "(四)深化教育扶贫")
    assert "不因贫失学" in section.text  # the body stays in the section


def test_real_minqing_plan_has_repaired_headings(corpus):
    sections = _doc_sections(corpus, "000")
    paths = _paths(sections)
    assert ("一、总体要求", "(一)指导思想") in paths
    assert ("一、总体要求", "(二)目标任务") in paths
    # Under 三、 the first two headings lost their numerals, the third kept it.
    assert ("三、促进脱贫攻坚与乡村振兴有效衔接", "(一)实施薄弱村提升行动") in paths
    assert ("三、促进脱贫攻坚与乡村振兴有效衔接", "(二)完善村级基础设施") in paths
    assert ("三、促进脱贫攻坚与乡村振兴有效衔接", "(三)实施农村人居环境整治行动") in paths
    assert ("四、加强党对脱贫攻坚的领导", "(六)营造良好舆论氛围") in paths
    assert not any(title.startswith(("()", "（）")) for path in paths for title in path)
    guiding = _section(sections, "(一)指导思想")
    assert "习近平新时代中国特色社会主义思想" in guiding.text


def test_real_plans_keep_full_width_and_numbered_headings(corpus):
    assert ("一、脱贫攻坚巩固提升的总体要求", "（一）指导思想") in _paths(corpus.sections["004"])
    assert ("一、总体要求", "(二)目标任务", "1.低收入人口全部脱贫") in _paths(
        corpus.sections["001"]
    )


def test_every_section_of_every_document_has_a_heading_path_below_its_preamble(corpus):
    for doc_id, sections in corpus.sections.items():
        assert sum(1 for s in sections if s.heading_path) >= len(sections) - 1, doc_id
        for s in sections:
            for title in s.heading_path:
                assert 0 < len(title) <= 60, (doc_id, title)


# -- unit lists -------------------------------------------------------------------------


def test_square_bracket_list_with_nested_round_brackets():
    text = "加强帮扶。[责任单位:县委组织部,县农业农村局、县扶贫办、县民政局(老区办)、县财政局,各有关乡镇]"
    [found] = find_unit_lists(text)
    assert found.lead == ()
    assert found.responsible == (
        "县委组织部",
        "县农业农村局",
        "县扶贫办",
        "县民政局(老区办)",
        "县财政局",
        "各有关乡镇",
    )
    assert text[found.start : found.end].startswith("[责任单位")
    assert text[found.end - 1] == "]"


def test_lead_and_responsible_are_separated_in_half_width_round_brackets():
    text = "确保到边到角(牵头单位:省纪委<监察委>;责任单位:省检察院、省扶贫办、省审计厅,各市、州、县党委、政府)。"
    [found] = find_unit_lists(text)
    assert found.lead == ("省纪委<监察委>",)
    assert found.responsible == ("省检察院", "省扶贫办", "省审计厅", "各市、州、县党委、政府")


def test_full_width_brackets_and_colons():
    text = "推进产业扶贫。（牵头单位：县农业局，责任单位：县林业局、县财政局、县扶贫办）"
    [found] = find_unit_lists(text)
    assert found.lead == ("县农业局",)
    assert found.responsible == ("县林业局", "县财政局", "县扶贫办")


def test_bare_trailing_list_strips_deng_and_keeps_township_catch_all():
    text = "加大区财政扶贫资金投入力度。(区财政局、区扶贫办、区审计局等,各镇、街道)"
    [found] = find_unit_lists(text)
    assert found.lead == ()
    assert found.responsible == ("区财政局", "区扶贫办", "区审计局", "各镇、街道")
    assert not any(u.endswith("等") for u in found.responsible)


def test_catch_alls_stay_whole_and_are_flagged():
    units = split_units("省扶贫办,各市、州、县党委、政府,深度贫困县党委、政府")
    assert units == ("省扶贫办", "各市、州、县党委、政府", "深度贫困县党委、政府")
    assert [is_catch_all(u) for u in units] == [False, True, True]
    assert is_catch_all("各有关乡镇")
    assert is_catch_all("省扶贫攻坚领导小组各成员单位")
    assert not is_catch_all("县民政局(老区办)")
    # A collective never falls apart into a nameless "政府" a complaint could be sent to.
    assert "政府" not in split_units("深度贫困村所在市、州、县党委、政府")


@pytest.mark.parametrize(
    "text",
    [
        "各乡镇(含街道)要落实搬迁任务,按时完成。",
        "到2020年覆盖全部乡镇(含街道)。",
        "补助资金按每户2万元发放(含中央资金)。",
        "一般每3年从优秀村(社区)干部中定向招录乡镇(街道)公务员。",
    ],
)
def test_ordinary_asides_are_not_unit_lists(text):
    assert find_unit_lists(text) == []
    [section] = parse_sections("t", "一、措施\n" + text + "\n")
    assert section.text == text  # nothing cut out of what the resident reads
    assert section.responsible_units == ()


def _raw_lines(doc_id):
    doc = next(d for d in load_manifest() if d.id == doc_id)
    return strip_chrome(read_document(DEFAULT_CORPUS / doc.file)).splitlines()


@pytest.mark.parametrize(
    ("doc_id", "bracket", "lead", "responsible"),
    [
        ("000", "[责任单位:", (), ("县委组织部", "县民政局(老区办)", "各有关乡镇")),
        (
            "002",
            "(牵头单位:",
            ("省纪委<监察委>",),
            ("省检察院", "国家统计局湖北调查总队", "各市、州、县党委、政府"),
        ),
        ("004", "（牵头单位：", ("县农业局",), ("县林业局", "县工商联")),
        ("001", "(区财政局、", (), ("区财政局", "区扶贫办", "区审计局", "各镇、街道")),
    ],
)
def test_every_bracket_style_of_the_seeds(doc_id, bracket, lead, responsible):
    """Each seed's own bracket style yields the units it names."""
    lists = [
        u
        for line in _raw_lines(doc_id)
        for u in find_unit_lists(line)
        if line[u.start :].startswith(bracket)
    ]
    assert lists, f"no {bracket} list found in {doc_id}"
    matching = [
        u for u in lists if set(lead) <= set(u.lead) and set(responsible) <= set(u.responsible)
    ]
    assert matching, [(u.lead, u.responsible) for u in lists]
    for u in lists:
        assert not any(x.endswith("等") or not x for x in u.lead + u.responsible)


def test_real_sections_carry_their_unit_lists(corpus):
    education = _section(corpus.sections["000"], "(四)深化教育扶贫")
    assert education.responsible_units == ("县教育局", "县残联", "县扶贫办", "各有关乡镇")
    style = _section(corpus.sections["002"], "(三)加强扶贫领域作风建设")
    assert "省纪委<监察委>" in style.lead_units
    assert "省检察院" in style.responsible_units
    finance = _section(corpus.sections["001"], "(一)强化财政投入保障")
    assert finance.responsible_units == ("区财政局", "区扶贫办", "区审计局", "各镇、街道")
    housing = _section(corpus.sections["004"], "全面推进农村危房改造行动")
    assert housing.lead_units == ("县住房城乡建设局",)
    assert "县民政局" in housing.responsible_units


def test_unit_brackets_leave_the_passage_text_but_stay_as_data(corpus):
    label = re.compile(r"(责任单位|牵头单位)\s*[:：]")
    assert not [p.id for p in corpus.passages if label.search(p.text)]
    assert not [p.id for p in corpus.passages if "等,各镇、街道)" in p.text]
    education = [
        p
        for p in corpus.passages
        if p.heading_path[-1:] == ("(四)深化教育扶贫",) and p.doc_id == "000"
    ]
    assert education and all("县教育局" in p.responsible_units for p in education)
    assert "不因贫失学辍学" in "".join(p.text for p in education)


def test_synthetic_section_text_has_units_removed_but_sentence_intact():
    text = "一、措施\n(一)住房\n落实危房改造补助。[责任单位:县住建局、县财政局]推进易地搬迁。(牵头单位:县发改局;责任单位:县扶贫办)\n"
    [section] = parse_sections("t", text)
    assert section.text == "落实危房改造补助。推进易地搬迁。"
    assert section.lead_units == ("县发改局",)
    assert section.responsible_units == ("县住建局", "县财政局", "县扶贫办")


def test_each_clause_keeps_its_unit_bracket_as_the_plan_writes_it():
    text = "一、措施\n(一)住房\n落实危房改造补助。[责任单位:县住建局、县财政局]推进易地搬迁。（牵头单位：县发改局；责任单位：县扶贫办）\n"
    [section] = parse_sections("t", text)
    [paragraph] = section.paragraphs
    assert [c.units_text for c in paragraph] == [
        "[责任单位:县住建局、县财政局]",
        "（牵头单位：县发改局；责任单位：县扶贫办）",
    ]
