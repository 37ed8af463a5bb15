"""What residents read when they ask about a place no plan here covers."""

UNCOVERED = (
    "这里收录的扶贫政策文件只覆盖{regions}，没有{place}的政策文件，"
    "不能把别的地方的标准当作{place}的。"
    "请向{place}当地的乡镇政府或县扶贫（乡村振兴）部门咨询，"
    "也可以拨打全国扶贫监督举报电话 12317。"
)


def region_list(regions: list[str]) -> str:
    """闽清县、淮安区和湖北省."""
    if len(regions) <= 1:
        return "".join(regions)
    return "、".join(regions[:-1]) + "和" + regions[-1]
