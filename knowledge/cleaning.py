"""Two cleanings of policy text: one for display, one for matching.

`strip_chrome` removes what the government website wrapped around a policy (source and
date lines, font-size and print buttons, view counters, breadcrumbs, previous/next links,
"related documents" lists, share-to and QR-code prompts) and tidies whitespace, but leaves
every policy sentence as it was written: this is the text residents read and quotes come
from. A line is removed only when it consists entirely of chrome (or is an item of a
相关文档 list), so a sentence that merely mentions 来源 or 打印 stays.

`normalize` is the form that is indexed and that queries are matched in. It folds the
variants residents and web pages mix freely, so that 補貼 finds 补贴 and （一） finds (一).
Canonical punctuation (everything that has an ASCII counterpart becomes ASCII):

    ， ﹐       → ,        ： ﹕ → :        ； ﹔ → ;        ！ → !        ？ → ?
    （ ﹙ ⦅    → (        ） ﹚ ⦆ → )
    【 〔 〖 ［ ｛ 〘 → [    】 〕 〗 ］ ｝ 〙 → ]
    “ ” „ ‟ 「 」 『 』 ″ ＂ → "          ‘ ’ ‚ ‛ ′ ＇ → '
    — – ― ‐ ‑ ‒ − ﹣ － → -   ～ 〜 ∼ → ~   · • ● ・ ‧ → ·   〈 〉 → 《 》   … ⋯ → ...

Kept as they are, because ASCII has no equivalent that means the same: 。 (a full stop, not
a decimal point), 、 (the enumeration comma) and 《 》 (title marks).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

__all__ = ["normalize", "strip_chrome"]


# -- strip_chrome -----------------------------------------------------------------------

_DATE = (
    r"\d{2,4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
)
# Page metadata: a label and one value. Date labels take only a date, so a policy line such
# as 实施时间：2019年5月至12月 is not mistaken for one; other labels take one short token.
_DATE_LABELS = ("发布时间", "发布日期", "发稿时间", "更新时间", "更新日期", "时间", "日期")
_NAME_LABELS = (
    "来源", "信息来源", "文章来源", "稿件来源", "作者", "编辑", "责任编辑", "发布机构", "发布者",
    "索引号", "浏览次数", "浏览量", "已浏览", "阅读次数", "阅读量", "点击数", "点击量", "点击率",
    "访问量", "访问次数", "字体大小", "字体", "字号", "文字大小", "分享到",
)  # fmt: skip


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_LABEL_VALUE = re.compile(
    r"(?:^|(?<=[\s|｜/【\[]))(?:"
    rf"(?:{_alternatives(_DATE_LABELS)})\s*[:：]?\s*(?:{_DATE})?"
    rf"|(?:{_alternatives(_NAME_LABELS)})\s*[:：]\s*[^\s:：|｜【】\[\]，,。；;、]{{0,20}}"
    r")(?=$|[\s|｜【\[])"
)
# Buttons and prompts that make up a whole line on their own.
_WIDGETS = re.compile(
    r"(?:^|(?<=[\s|｜/【\[\]】(（]))(?:"
    r"加大字体|缩小字体|默认字体|取消收藏|收藏本页|加入收藏|收藏|打印本页|打印此页|打印|"
    r"关闭本页|关闭窗口|关闭|返回顶部|返回列表|返回|保存本页|"
    r"扫一扫在手机(?:上)?打开当前页|扫一扫在手机上查看|手机扫一扫|扫一扫|用手机扫描二维码|"
    r"微信扫一扫|微信|微博|新浪微博|腾讯微博|QQ空间|QQ好友|朋友圈|人人网|豆瓣|"
    r"政策详情|文章详情|正文|[大中小]|默认|\d+次"
    r")(?=$|[\s|｜/【\[\]】)）])"
)
_CHROME_LEFTOVER = re.compile(r"[\s|｜/\\【】\[\]()（）:：•·●▪◆■>＞»›\-—]*")
_BULLET = r"[•·●▪◆■◇○◦‧\-*]"
_BREADCRUMB_SEP = re.compile(r"\s*(?:>>|>|＞|»|›|→)\s*")
_SPACED_SEP = re.compile(r"\s(?:>>|>|＞|»|›|→)\s")
_BREADCRUMB_START = re.compile(
    r"^(?:当前位置|您的位置|你的位置|您现在的位置|所在位置|位置)\s*[:：]|^(?:网站首页|首页|主页)\b"
)
_NEIGHBOUR_LINK = re.compile(r"^(?:上一篇|下一篇|上一条|下一条|上一页|下一页|上篇|下篇)\s*[:：]?")
_RELATED_HEADER = re.compile(
    r"^(?:相关文档|相关文章|相关链接|相关阅读|相关新闻|相关信息|相关政策|相关解读|推荐阅读)\s*[:：]?$"
)
_LIST_ITEM = re.compile(rf"^{_BULLET}\s*\S")
_SENTENCE_MARK = re.compile(r"[，,。；;！!？?]")
_SPACES = re.compile(r"[^\S\n]+")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"), None)


def _is_widget_line(line: str) -> bool:
    """Whole line is metadata labels, buttons and separators, with at least one of them."""
    if len(line) > 120:
        return False
    rest, labels = _LABEL_VALUE.subn(" ", line)
    rest, widgets = _WIDGETS.subn(" ", rest)
    return labels + widgets > 0 and _CHROME_LEFTOVER.fullmatch(rest) is not None


def _is_breadcrumb(line: str) -> bool:
    """`首页 > 浏阳市政府 > …` or `当前位置: 政策公开 > 政策详情`: short crumbs, no sentences.

    Without a 首页/当前位置 start, three spaced crumbs are needed, so that 收入>4000元>3000元
    in a policy sentence is not one.
    """
    if _SENTENCE_MARK.search(line):
        return False
    crumbs = [c for c in _BREADCRUMB_SEP.split(line) if c.strip()]
    if len(crumbs) < 2 or any(len(c) > 25 for c in crumbs):
        return False
    if _BREADCRUMB_START.match(line):
        return True
    return len(crumbs) >= 3 and len(_SPACED_SEP.findall(line)) == len(crumbs) - 1


def _is_chrome(line: str) -> bool:
    bare = re.sub(rf"^{_BULLET}\s*", "", line)
    return (
        _is_widget_line(bare)
        or _is_breadcrumb(bare)
        or bool(_NEIGHBOUR_LINK.match(bare) and not _SENTENCE_MARK.search(bare[4:]))
    )


def strip_chrome(text: str) -> str:
    """Display text without website chrome, one space per run, at most one blank line.

    Leading indentation goes (the seeds indent with ASCII, full-width and no-break spaces
    alike) but lines stay lines, because headings are recognised line by line.
    """
    text = text.translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []
    in_related_list = False
    for raw in text.split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if in_related_list:
            if not line or _LIST_ITEM.match(line):
                continue
            in_related_list = False
        if _RELATED_HEADER.match(line):
            in_related_list = True
            continue
        if line and _is_chrome(line):
            continue
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


# -- normalize --------------------------------------------------------------------------


def _fold(sources: str, target: str) -> dict[int, str]:
    return dict.fromkeys(map(ord, sources), target)


# Applied after NFKC, which already turns full-width ASCII forms (，：；（）！？［］) into ASCII.
_PUNCTUATION = {
    **_fold("，﹐", ","), **_fold("：﹕", ":"), **_fold("；﹔", ";"),
    **_fold("！", "!"), **_fold("？", "?"),
    **_fold("（﹙⦅", "("), **_fold("）﹚⦆", ")"),
    **_fold("【〔〖［｛〘{", "["), **_fold("】〕〗］｝〙}", "]"),
    **_fold("“”„‟「」『』″＂\u301d\u301e", '"'), **_fold("‘’‚‛′＇`", "'"),
    **_fold("—–―‐‑‒−﹣－", "-"), **_fold("～〜∼", "~"),
    **_fold("•●・‧∙⋅", "·"), **_fold("〈", "《"), **_fold("〉", "》"),
    **_fold("…⋯", "..."), **_fold("\u3000\xa0\t\u2002\u2003\u2009\u202f", " "),
    **_INVISIBLE,
}  # fmt: skip
_WHITESPACE_RUN = re.compile(r"[^\S\n]*\n\s*|[^\S\n]+")


def _opencc_entries(name: str) -> dict[str, str]:
    """One OpenCC dictionary file as {traditional: first simplified candidate}."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / name
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if targets.split():
            entries[source] = targets.split()[0]
    return entries


@cache
def _t2s():
    """Traditional-to-simplified in three speeds, all giving OpenCC's t2s result.

    OpenCC's pure-Python converter costs ~50 µs for a short question, and most questions
    are simplified already. So: text without a convertible character is left alone; text
    without any of the phrases OpenCC converts differently from their characters (乾隆, 藉口)
    is converted with one `str.translate`; only the rest goes through OpenCC.
    """
    from opencc import OpenCC

    characters = {s: t for s, t in _opencc_entries("TSCharacters.txt").items() if s != t}
    table = str.maketrans(characters)
    phrases = [
        source
        for source, target in _opencc_entries("TSPhrases.txt").items()
        if source.translate(table) != target
    ]
    changing = frozenset(characters).union(*phrases)
    special = re.compile("|".join(map(re.escape, sorted(phrases, key=len, reverse=True))))
    return OpenCC("t2s"), table, changing, special


def normalize(text: str) -> str:
    """Index and query form: NFKC, simplified Chinese, one punctuation set, lower case.

    Runs of spaces become one space and runs of line breaks one line break, so a document
    keeps its lines. Idempotent (normalize(normalize(x)) == normalize(x)); runs on every
    question, so the common case is a handful of C-level string passes (~5-10 µs).
    """
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)
    converter, table, changing, special = _t2s()
    # One conversion chains (薴 → 苧 → 苎); a second pass makes the result idempotent.
    for _ in range(2):
        if changing.isdisjoint(text):
            break
        text = converter.convert(text) if special.search(text) else text.translate(table)
    text = text.lower()
    if not unicodedata.is_normalized("NFKC", text):  # lower-casing İ adds a combining dot
        text = unicodedata.normalize("NFKC", text)
    return _WHITESPACE_RUN.sub(lambda m: "\n" if "\n" in m.group() else " ", text).strip()
