"""Grievance cues: each class of misconduct residents report reads like a complaint, in their
own words; ordinary questions, with the same everyday words, do not."""

from __future__ import annotations

import pytest

from knowledge.complaint_cues import OTHER, ComplaintCues, load_cues


@pytest.fixture(scope="module")
def cues() -> ComplaintCues:
    return ComplaintCues()


@pytest.mark.parametrize(
    "text",
    [
        # money withheld, late or short
        "危房补助到现在还没发",
        "护林员工资拖欠了三个月",
        "低保金每个月被克扣五十块",
        "分红半年了都没发",
        "补助一直没到账",
        # embezzlement, false claims
        "村会计代领了我的补贴",
        "扶贫款被挪作他用修了书记家门口的路",
        "有人冒用我的名字贷款",
        "村里虚报人数套取扶贫资金",
        "组长把补助私分了",
        "扶贫款都进了村长的腰包",
        "补助被他揣进自己口袋了",
        # bribes, fees demanded
        "补助要先交钱才给发",
        "办低保要交手续费",
        "想评贫困户得给村干部送礼",
        "干部吃拿卡要",
        # favouritism and nepotism
        "村主任把他亲戚都评上了低保",
        "低保给了村支书的小舅子",
        "评低保全是关系户",
        "公益岗是书记家的儿子在干",
        "村干部优亲厚友",
        "要走后门才评得上",
        # wrong identification
        "我家被错退了",
        "开小车的都评上了贫困户",
        "明明没脱贫，报上去是被脱贫",
        # cadres' conduct
        "第一书记一个月才来一回",
        "家庭医生一次都没来过",
        "镇上干部推三阻四不给办",
        "天天填表，形式主义",
        "扶贫专干态度恶劣还骂人",
        # bureaucratism towards residents
        "去镇上办事,工作人员爱理不理",
        "民政和残联互相扯皮",
        # formalism in assistance work
        "帮扶干部来了就拍个照，啥事不管",
        "结对干部上门只顾着让我们签字",
        "问驻村干部政策，一问三不知",
        "扶贫工作全是过度留痕、填表报数",
        # bad work and goods
        "刚改好的房子墙就裂了",
        "发的鸡苗是病苗，死了一半",
        "说免学费结果收了八百",
        # asking to report
        "我要举报村支书",
    ],
)
def test_each_class_of_grievance_is_recognised(cues, text):
    assert cues.cue_in(text) is not None
    assert cues.reads_like_complaint(text, "fund_misuse")


@pytest.mark.parametrize(
    "text",
    [
        "娃上大学有什么补助",
        "我亲戚家是低保户，能申请危房改造吗",
        "我家房子墙裂了，算不算危房",
        "出去打工怕被骗，县上有没有组织",
        "我家有个人一直没办医保，能补办吗",
        "扶贫资金的账目公不公开",
        "低保一个月能领多少钱",
        "残疾人的护理补贴找谁办",
        "帮扶手册上的签字是做什么用的",
        "帮扶干部多久来走访一次",
    ],
)
def test_ordinary_questions_with_everyday_words_are_left_alone(cues, text):
    assert cues.cue_in(text) is None


def test_a_cue_in_no_complaint_category_is_no_complaint(cues):
    assert not cues.reads_like_complaint("邻居家的狗半夜叫，我要投诉", OTHER)


def test_patterns_and_phrases_load_from_one_file(tmp_path):
    path = tmp_path / "cues.txt"
    path.write_text("# comment\n克扣  # money\nre:(书记|主任)的(亲戚|儿子)\n", encoding="utf-8")
    loaded = ComplaintCues(load_cues(path))
    assert loaded.cue_in("被克扣了") == "克扣"
    assert loaded.cue_in("补助给了主任的儿子") == "主任的儿子"
    assert loaded.cue_in("主任说要等") is None
