"""Site chrome goes, policy text stays; normalised text matches across variants."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.cleaning import normalize, strip_chrome

CORPUS = sorted((Path(__file__).parents[1] / "knowledge" / "corpus").glob("*.txt"))


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


# -- strip_chrome on the chrome of the seeds and its common variants -----------------------

CHROME_LINES = [
    "来源:闽清县 发布时间: 2019-11-21 11:44",
    "加大字体 缩小字体 收藏 取消收藏 打印",
    "已浏览:",
    "来源:湖北省扶贫办    发布日期:2018/04/27",
    "当前位置: 政策公开 > 政策详情",
    "政策详情",
    "发布时间:2019-02-14",
    "首页 > 浏阳市政府 > 市政府机构 > 乡镇街道 > 镇头镇 > 规划计划 > 发展规划",
    "发布时间 : 2019-05-14 来源:镇头镇 字体大小:",
    "上一篇:湖北省精准扶贫政策简要读本",
    "下一篇:已是最后一篇",
    "  • 扫一扫在手机打开当前页",
    "扫一扫在手机打开当前页",
    "【打印】【关闭】",
    "【打印本页】 【关闭窗口】",
    "分享到：",
    "分享到： 微信 微博 QQ空间",
    "字体大小：大 中 小",
    "字号：【大 中 小】",
    "发布时间：2020年3月5日 来源：县扶贫办 浏览次数：1234次",
    "\u3000\u3000信息来源：县民政局\u3000\u3000更新时间：2021-01-04",
    "责任编辑：张三",
    "您的位置：首页 > 政务公开 > 政策文件",
    "首页>>政务公开>>扶贫政策",
    "上一篇：关于做好2020年教育扶贫工作的通知",
    "下一篇:无",
]


@pytest.mark.parametrize("chrome", CHROME_LINES)
def test_each_kind_of_chrome_line_is_removed(chrome):
    text = f"一、住房保障\n{chrome}\n对危房改造户每户补助2万元。"
    assert _lines(strip_chrome(text)) == ["一、住房保障", "对危房改造户每户补助2万元。"]


def test_related_documents_block_at_page_end_is_removed():
    text = (
        "(七)统筹衔接脱贫攻坚与乡村振兴。确保11个村集体经济收入逐年递增。\n\n"
        "相关文档:\n"
        "  • 关于《镇头镇打赢脱贫攻坚战行动工作方案(2019—2020年)》的规划解读\n"
        "  • 扫一扫在手机打开当前页\n"
    )
    assert strip_chrome(text) == "(七)统筹衔接脱贫攻坚与乡村振兴。确保11个村集体经济收入逐年递增。"


POLICY_LINES = [
    "实施时间：2019年5月至12月",
    "审核:乡镇人民政府对申请进行审核",
    "资金来源：县财政安排专项资金。",
    "打印、复印等费用由县财政承担。",
    "家庭人均收入>4000元>3000元的,按规定退出",
    "(一)补助标准。每户补助2万元(责任单位:县住建局)",
    "()指导思想",
    "201832",
    "中共新平县委办公室 2018年11月28日印发",
    "新发〔2018〕24号",
    "中共闽清县委 闽清县人民政府",
    "发布会时间另行通知,由县扶贫办负责。",
    "2019年4月25日",
    "上一年度已享受补助的,不再重复申报。",
    "相关部门要按时报送材料。",
]


@pytest.mark.parametrize("line", POLICY_LINES)
def test_policy_lines_that_look_like_chrome_are_kept(line):
    assert strip_chrome(f"一、总体要求\n{line}\n") == f"一、总体要求\n{line}"


def test_whitespace_is_tidied_but_lines_stay_lines():
    text = "\ufeff  一、总体要求\r\n\u3000\u3000(一)指导思想\n\n\n \xa0\n坚持  精准扶贫\t精准脱贫。  \n\n\n"
    assert strip_chrome(text) == "一、总体要求\n(一)指导思想\n\n坚持 精准扶贫 精准脱贫。"


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_seed_documents_lose_chrome_and_keep_policy_text(path):
    original = path.read_text(encoding="utf-8")
    cleaned = strip_chrome(original)
    kept = set(_lines(cleaned))
    removed = [
        line
        for line in (re.sub(r"\s+", " ", raw).strip() for raw in original.split("\n"))
        if line and line not in kept
    ]
    for line in removed:
        assert "单位" not in line and "。" not in line, line
        assert not re.match(
            r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]*[)）])", line
        )
    for marker in ("来源:", "发布时间", "发布日期", "加大字体", "已浏览", "上一篇", "下一篇",
                   "当前位置", "首页 >", "相关文档", "扫一扫", "字体大小"):  # fmt: skip
        assert marker not in cleaned, marker
    assert cleaned.count("牵头单位") == original.count("牵头单位")
    assert cleaned.count("责任单位") == original.count("责任单位")
    headings = [ln for ln in _lines(cleaned) if re.match(r"^[一二三四五六七八九十]+、", ln)]
    assert len(headings) == len(re.findall(r"(?m)^\s*[一二三四五六七八九十]+、", original))


def test_seed_chrome_counts():
    """Exactly the chrome lines seen in the seeds go, nothing more."""
    removed = {}
    for path in CORPUS:
        original = [re.sub(r"\s+", " ", ln).strip() for ln in path.read_text("utf-8").split("\n")]
        kept = set(_lines(strip_chrome("\n".join(original))))
        removed[path.name[:3]] = [ln for ln in original if ln and ln not in kept]
    assert removed == {
        "000": ["来源:闽清县 发布时间: 2019-11-21 11:44", "加大字体 缩小字体 收藏 取消收藏 打印"],
        "001": ["当前位置: 政策公开 > 政策详情", "政策详情", "发布时间:2019-02-14"],
        "002": [
            "已浏览:",
            "来源:湖北省扶贫办 发布日期:2018/04/27",
            "上一篇:湖北省精准扶贫政策简要读本",
            "下一篇:已是最后一篇",
        ],
        "003": [
            "首页 > 浏阳市政府 > 市政府机构 > 乡镇街道 > 镇头镇 > 规划计划 > 发展规划",
            "发布时间 : 2019-05-14 来源:镇头镇 字体大小:",
            "相关文档:",
            "• 关于《镇头镇打赢脱贫攻坚战行动工作方案(2019—2020年)》的规划解读",
            "• 扫一扫在手机打开当前页",
        ],
        "004": [],
    }


def test_strip_chrome_is_idempotent_on_the_seeds():
    for path in CORPUS:
        once = strip_chrome(path.read_text(encoding="utf-8"))
        assert strip_chrome(once) == once


# -- normalize ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("每户补助２万元，共１２３４５元", "每户补助2万元,共12345元"),
        ("ＡＢＣ　Ｄｅｆ", "abc def"),
        ("補貼", "补贴"),
        ("醫療救助怎麼申請", "医疗救助怎么申请"),
        ("乾隆年間", "乾隆年间"),  # OpenCC keeps 乾 in the name, converts it in 乾燥
        ("乾燥", "干燥"),
        ("（一）指导思想", "(一)指导思想"),
        ("(一)指导思想", "(一)指导思想"),
        ("﹙一﹚", "(一)"),
        ("【责任单位：县教育局；县财政局】", "[责任单位:县教育局;县财政局]"),
        ("[责任单位:县教育局;县财政局]", "[责任单位:县教育局;县财政局]"),
        ("〔2018〕16号", "[2018]16号"),
        ("［2018］16号", "[2018]16号"),
        ("“一个不落下”", '"一个不落下"'),
        ("「一个不落下」", '"一个不落下"'),
        ("‘两不愁’", "'两不愁'"),
        ("怎么办？！", "怎么办?!"),
        ("2019—2020年", "2019-2020年"),
        ("2019－2020年", "2019-2020年"),
        ("〈通知〉", "《通知》"),
        ("教育、医疗。", "教育、医疗。"),
        ("  低保  \u3000 怎么\t申请 ", "低保 怎么 申请"),
        ("一、总体要求 \n\n\u3000(一)指导思想", "一、总体要求\n(一)指导思想"),
        ("①", "1"),
    ],
)
def test_normalize_folds_variants(raw, expected):
    assert normalize(raw) == expected


def test_variants_of_one_sentence_normalise_alike():
    variants = [
        "（牵头单位：县扶贫办；责任单位：县教育局，县財政局）",
        "(牵头单位:县扶贫办;责任单位:县教育局,县财政局)",
        "﹙牵头单位﹕县扶贫办﹔责任单位﹕县教育局﹐县財政局﹚",
    ]
    assert len({normalize(v) for v in variants}) == 1


SAMPLES = [
    "我家娃上大學，能領多少補貼？（低保戶）",
    "ＡＢＣ　１２３ “Ｑ＆Ａ” ﹙一﹚【二】〔三〕…",
    "\ufeff乾隆年間\u200b藉口 彷彿 ① ㈠ ㍿ ﬁ Ⅻ İstanbul ß",
    "襏🆑ﾠⓋİﾟＩ",
    "薴麻",  # OpenCC maps 薴 to 苧 and 苧 to 苎
    " \n\t\u3000 ",
    "",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


def test_normalize_is_idempotent_on_the_seeds():
    for path in CORPUS:
        once = normalize(path.read_text(encoding="utf-8"))
        assert normalize(once) == once
        assert "，" not in once and "（" not in once and "：" not in once
