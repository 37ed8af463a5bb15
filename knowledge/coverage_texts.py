"""What residents read when the plans cannot answer for their place: a place no plan here
covers, or a fact their own plan does not state."""

from collections.abc import Sequence

from knowledge.asked import AMOUNT, TIME

UNCOVERED = (
    "这里收录的扶贫政策文件只覆盖{regions}，没有{place}的政策文件，"
    "不能把别的地方的标准当作{place}的。"
    "请向{place}当地的乡镇政府或县扶贫（乡村振兴）部门咨询，"
    "也可以拨打全国扶贫监督举报电话 12317。"
)


def region_list(regions: Sequence[str]) -> str:
    """闽清县、淮安区和湖北省."""
    if len(regions) <= 1:
        return "".join(regions)
    return "、".join(regions[:-1]) + "和" + regions[-1]


# The resident's plan has the matter but no figure or date for it.
NOT_STATED = (
    "{place}的扶贫政策文件里有这方面的规定，但没有写明{fact}。{where}\n\n文件里相关的规定是：\n"
)
# No place known, and none of the plans gives the figure or date.
NOT_STATED_ANYWHERE = (
    "这里收录的扶贫政策文件（{plans}）里有这方面的规定，但都没有写明{fact}，各地情况也不一样。"
    "请向当地村委会、乡镇政府或县里的主管部门咨询，也可以拨打全国扶贫监督举报电话 12317。"
    "\n\n文件里相关的规定是：\n"
)
NOT_STATED_FACT = {AMOUNT: "具体的金额或标准", TIME: "具体的时间或期限"}
# Where to ask: the units the plan makes responsible for the matter, when it names them.
ASK_UNITS = (
    "具体情况可以向{units}咨询，也可以问当地村委会、乡镇政府，或者拨打全国扶贫监督举报电话 12317。"
)
ASK_LOCALLY = (
    "具体情况请向当地村委会、乡镇政府或县里的主管部门咨询，也可以拨打全国扶贫监督举报电话 12317。"
)
