"""What kind of fact a question asks for, and which sentences state that kind of fact.

Residents ask 能报多少 (an amount), 啥时候弄好 (a time), 找谁办 (who handles it), 够不够条件
(eligibility) or 去哪里申请 (how to apply). The answer should lead with the sentence that states
that fact, so each kind has the words that ask for it and a pattern for sentences that state it.
The cue words are general ways of asking in Mandarin and the dialects residents write in
(几多, 么子时候, 找哪个), not phrases of particular questions.
"""

from __future__ import annotations

import re

from knowledge.analyzer import segmenter

AMOUNT = "amount"
TIME = "time"
WHO = "who"
ELIGIBILITY = "eligibility"
HOW = "how"

# Checked in this order: the more specific ask wins (要到哪一年 is a time, not a place to go;
# 能报多少 is an amount, not whether one may).
ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        WHO,
        re.compile(
            r"(?:归|找|由|是|去|到)?(?:哪个|哪些|哪一个|哪家|什么|啥|么子|哪)(?:部门|单位|机构)(?:牵头|负责|管)?|"
            r"找谁|找哪个|找哪|归谁|归哪|谁管|谁负责|谁来管|谁来办|谁牵头|谁办|哪一级|哪级|谁出|谁给|谁来出|"
            r"哪个管|哪个负责|哪个办|"
            # who in Hubei (么人), Jianghuai and Wu (啥人), Min (谁人, 底侬), and 哪个 of the southwest
            r"找(?:么人|啥人|谁人|底侬|哪位)|(?:么人|啥人|谁人|底侬|哪个)来?(?:管|负责|办|批|出钱)"
        ),
    ),
    (
        TIME,
        re.compile(
            r"啥时候|什么时候|么子时候|么时候|啥子时候|什个时候|哪样时候|哪时候|几时|啥辰光|底时|哪阵|多久|多长时间|好久|截止|截至|哪一年|哪年|几月|哪个月|"
            r"期限|最晚|最迟|何时|啥时|到啥时|多少年|几年|好多年|每隔|多少天|几天|"
            # which time, day or spell, and Jianghuai 多晚 (when)
            r"(?:哪个|啥个|么个)时候|(?:什么|么)辰光|(?:什么|啥|么)时间|哪一?天|哪一阵|多晚"
        ),
    ),
    (
        AMOUNT,
        re.compile(
            r"多少|几多|偌济|偌多|几钿|好多钱|(?:补|给|报|发|领|贷|拿)好多|几个钱|几档|哪一档|哪档|标准|比例|多高|几成|百分之|几个点|额度|"
            r"补多|给多|报多|(?<!不)能拿(?!到?(?:哪|什么|啥))|(?<!不)能领多|最多|最少|上限|封顶|起付|几块钱"
        ),
    ),
    (
        HOW,
        re.compile(
            r"哪门|么样搞|么样办|么样弄|哪能办|哪能弄|怎么申请|咋申请|咋个申请|如何申请|怎样申请|怎么办理|如何办理|咋办理|怎么弄|咋弄|咋个弄|"
            r"去哪(?!些)|到哪(?!些)|在哪(?!些)|哪里办|哪里申请|哪里查|哪查|哪儿|流程|手续|程序|要带|材料|怎么报|咋报|"
            r"怎么领|咋领|怎么查|咋查|申请|办理|报名|怎么办|咋办|咋个办|怎么搞|咋搞|咋整|"
            # how in the southwest (啷个, 咋个), Hubei (怎搞), Hokkien (按怎, 安怎); where
            r"(?:啷个|咋个)(?:办|搞|弄|整|报|领)|怎搞|按怎|安怎|"
            r"(?:去|到|在)(?:啥|什么|么子|么|哪个|哪样)地方|哪搭|佗位"
        ),
    ),
    (
        ELIGIBILITY,
        re.compile(
            r"能不能|能否|可不可以|可以不|行不行|够不够|够条件|啥条件|什么条件|么子条件|条件|符合|"
            r"算不算|算不|算在|有没有资格|资格|有份|有冇份|是不是都|都能|能享受|享受得到|"
            r"能领|能申请|能报|能参加|能办|给不给|管不管|"
            # whether in the southwest and Hunan (得不得, 要得不, 得行不), and qualifying (够格)
            r"得不得|要得不|得行不|够格|够得上"
        ),
    ),
)

# A reply names at most this many units that take part; a plan's list can run to a dozen.
MAX_UNITS_NAMED = 6

# Sentences that state each kind of fact. Eligibility has none: nearly every sentence of a
# plan states a condition, so relevance alone picks the sentence for 够不够条件.
STATES: dict[str, re.Pattern[str]] = {
    AMOUNT: re.compile(
        r"\d[\d,.]*\s*(?:万?元|%|％|个百分点|倍|人|户|个|亩|平方米)|(?<!\d)\d{1,2}\s*年|[一二三四五六七八九十百千万两]+(?:万?元|倍|成)|百分之|"
        # Amounts stated in words: paid in full, free, capped, halved
        r"全额|免费|免除|免收|免交|减免|不超过|不低于|减半|封顶|上限"
    ),
    TIME: re.compile(
        r"\d{4}\s*年|年底|年内|月底|季度|每年|每月|每季|之前|以前|前完成|期限|逐年|"
        # Durations, in figures or in words: 15个工作日内, 2年以上, 三个月, 半年
        r"(?:\d+|[一二两三四五六七八九十半]+)\s*(?:个)?(?:工作日|日|天|周|月|年)(?:以上|以下|以内|内)?"
    ),
    WHO: re.compile(r"负责|牵头|部门|单位|机构|政府|委员会|局|办公室|中心"),
    HOW: re.compile(
        r"申请|办理|申报|提交|审核|审批|窗口|服务中心|服务站|平台|网上|查询|登记|报名|受理|向|到"
    ),
}


# Asking how or where to get a thing done follows the thing (护照怎么办, 结婚证在哪办, 驾照要
# 啥手续): it is what the errand is about. Asking how much or how to collect (多少, 怎么领)
# is about a benefit or a cost whatever it is called, and an eligibility cue follows the
# subject (林权证能不能抵押), so neither names an errand.
ERRAND_CUE = re.compile(
    r"(?:怎么|怎样|如何|咋个|咋|啷个|哪门|么样|按怎|安怎|在哪里|去哪里|到哪里|在哪儿|去哪儿|在哪|去哪|到哪|哪里|哪儿)"
    r"(?:办理|办|弄|搞|整)|手续"
)
# What may stand between that thing and the cue: particles, modals and 到底 (护照到底要怎么办).
BEFORE_CUE = re.compile(
    r"(?:的|要|得|还|到底|一般|都|能|可以|该|去|在|是|了|啊|呀|呢|吧|哦|啥|什么)*$"
)
# Verbs of doing an errand, whose object is what it is about (办护照, 补办身份证, 考驾照, 换证),
# as words of their own (not the 办 of 创办, 举办). Not 开 or 买: 开小卖部 and 买保险 name a
# livelihood or a benefit as often as an errand.
ERRAND_VERBS = frozenset({"办", "办理", "补办", "换", "考", "申领"})
MEASURES = frozenset({"个", "张", "本", "一个", "一张", "一本"})


# A sentence of a message ends at these; one ending in 。 or ！ before the message's end tells
# the resident's situation rather than asks.
SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]*")
TOLD = ("。", "！", "!")


def asked_fact(question: str) -> str | None:
    """The kind of fact the question asks for, or None when it names none. A story's asking
    sentences decide, before what it tells: 高血压十几年了。…管不管 asks whether, not when."""
    for part in (*asking_sentences(question), question or ""):
        for kind, pattern in ASKS:
            if pattern.search(part):
                return kind
    return None


def asking_sentences(question: str) -> list[str]:
    """The sentences of a message that ask: each but those that end in 。 or ！ before its
    end, which tell the resident's situation."""
    told = [s for s in SENTENCE.findall(question or "") if s.strip()]
    return [s for i, s in enumerate(told) if i == len(told) - 1 or not s.endswith(TOLD)]


def errand_object(text: str, start: int, end: int) -> bool:
    """Whether the words at text[start:end] are what the errand is about: the object of an
    errand verb (办护照), or followed by asking how or where to get it done (护照怎么办), with
    at most particles and modals between."""
    if _errand_verb_before(text[:start]):
        return True
    cue = ERRAND_CUE.search(text, end)
    return bool(cue and BEFORE_CUE.match(text[end : cue.start()]))


def _errand_verb_before(text: str) -> bool:
    """Whether the text ends in an errand verb, with a measure word at most (办个, 换一张)."""
    words = segmenter().lcut(text[-12:]) if text else []
    if words and words[-1] in MEASURES:
        words.pop()
    if not words:
        return False
    last = words[-1]
    return last in ERRAND_VERBS or (last[-1] in "个张本" and last[:-1] in ERRAND_VERBS)


def ask_words(question: str) -> str:
    """The question without the words that only say what kind of fact is wanted."""
    text = question or ""
    for _, pattern in ASKS:
        text = pattern.sub(" ", text)
    return text


def states(kind: str | None, sentence: str) -> bool:
    """Whether the sentence states a fact of that kind."""
    pattern = STATES.get(kind or "")
    return bool(pattern and pattern.search(sentence))


def units_sentence(lead: tuple[str, ...], responsible: tuple[str, ...]) -> str | None:
    """Who handles it, named plainly: 这件事由区民政局牵头，区财政局、区残联配合。

    Townships (各镇、街道) carry out what the county units lead, so they are named last.
    """

    def ordered(units: tuple[str, ...]) -> list[str]:
        return sorted(dict.fromkeys(units), key=lambda u: u.startswith("各"))

    lead_list = ordered(lead)
    others = [u for u in ordered(responsible) if u not in lead_list]
    if len(others) > MAX_UNITS_NAMED:
        others = [*others[: MAX_UNITS_NAMED - 1], others[MAX_UNITS_NAMED - 1] + "等单位"]
    if lead_list:
        text = f"这件事由{'、'.join(lead_list)}牵头"
        return text + (f"，{'、'.join(others)}配合。" if others else "。")
    if others:
        return f"这件事由{'、'.join(others)}负责。"
    return None
