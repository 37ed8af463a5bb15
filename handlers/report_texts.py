"""What supervisors and admins read in /stats and /export (Telegram HTML; values escaped by the caller)."""

from __future__ import annotations

# Re-exported: the same words as the web console and the export.
from cases.names import DEADLINE_NAMES as DEADLINE_NAMES
from cases.names import NO_UNIT as NO_UNIT
from cases.names import RATING_NAMES as RATING_NAMES
from cases.names import STATUS_NAMES as STATUS_NAMES

OPEN_NAME = "未办结"  # 状态=未办结: every open status

# Filter keys accepted in "key=value" arguments, each mapped to the filter it sets.
FILTER_KEYS = {
    "从": "since",
    "起": "since",
    "开始": "since",
    "from": "since",
    "到": "until",
    "至": "until",
    "止": "until",
    "截至": "until",
    "to": "until",
    "地区": "region",
    "region": "region",
    "状态": "statuses",
    "status": "statuses",
    "单位": "unit",
    "责任单位": "unit",
    "unit": "unit",
    "类别": "category",
    "category": "category",
}

USAGE = (
    "<b>筛选条件的写法</b>（都可以不写，多个条件用空格隔开）：\n"
    "• <code>从=2026-11-01 到=2026-11-30</code>　按提交日期，也可以直接写两个日期\n"
    "• <code>地区=闽清县</code>　该地区及其下辖地区\n"
    "• <code>状态=未办结</code>　可选：" + "、".join([*STATUS_NAMES.values(), OPEN_NAME]) + "\n"
    "• <code>单位=县住建局</code>　承办单位\n"
    "• <code>类别=危房改造</code>\n"
    "例如：<code>/stats 2026-11-01 2026-11-30</code>\n"
    "<code>/export 状态=已受理 单位=县住建局 从=2026-11-01 到=2026-11-30</code>"
)
BAD_FILTER = "抱歉，没看懂“{arg}”：{why}\n\n" + USAGE
WHY_UNKNOWN_KEY = "不认识这个条件名"
WHY_BAD_DATE = "日期请写成 2026-11-01 这样的格式"
WHY_TOO_MANY_DATES = "最多写两个日期（开始和结束）"
WHY_DATE_ORDER = "开始日期晚于结束日期"
WHY_UNKNOWN_STATUS = "没有这个状态"
WHY_UNKNOWN_CATEGORY = "没有这个类别"
WHY_EMPTY = "等号后面没有写内容"
WHY_REPEATED = "这个条件写了两次"
WHY_TOO_LONG = "条件太长了"

PRIVATE_ONLY = "统计和导出只在与我的私聊中提供，请私聊我发送 /stats 或 /export。"
STORAGE_DOWN = "抱歉，数据库暂时连不上，请稍后再试。"
NO_CASES = "没有符合条件的工单。\n{scope}"

SCOPE_ALL = "范围：全部地区"
SCOPE_REGIONS = "范围：{regions}"
SCOPE_FILTERS = "筛选：{filters}"
FILTER_SINCE = "提交日期从 {date}"
FILTER_UNTIL = "到 {date}"

STATS_TITLE = "<b>投诉工单统计</b>（截至 {now}）"
STATS_TOTAL = "工单总数：<b>{n}</b> 件"
SECTION_STATUS = "<b>按状态</b>"
SECTION_UNIT = "<b>按主办单位</b>"
SECTION_CATEGORY = "<b>按类别</b>"
SECTION_REGION = "<b>按地区</b>"
SECTION_OVERDUE = "<b>超期未办</b>"
SECTION_RATES = "<b>办理成效</b>"
COUNT_LINE = "{name}：{n} 件"
MORE_LINE = "其余 {k} 项：{n} 件"
OVERDUE_SUMMARY = "受理超期 {accept} 件，办结超期 {resolve} 件"
OVERDUE_NONE = "没有超期的工单。"
OVERDUE_LINE = "{ticket}　{unit}　{deadline} {due}"
OVERDUE_MORE = "……另有 {n} 件，请用 /export 导出查看。"
RATE_LINE = "{name}：{value}"
RATE_VALUE = "{count}/{total}，{percent:.1f}%"
RATE_NONE = "—"
RATE_RESPONSE = "响应率"
RATE_RESOLUTION = "解决率"
RATE_SATISFACTION = "满意率"
RATINGS_LINE = "回访评价：{ratings}"
STATS_FOOTER = (
    "<i>说明：响应率＝有工作人员或监督人员办理动作（受理、转办、回复、办结、不予受理等）的工单 ÷ 全部工单；"
    "解决率＝最近一次状态为已办结或已结案的工单 ÷ 全部工单（不含不予受理、重复投诉）；"
    "满意率＝最近一次回访为满意或基本满意的工单 ÷ 有回访评价的工单。"
    "超期：待受理、已转办的工单过了受理时限，已受理、办理中、重新办理的工单过了办结时限。"
    "时间均为北京时间。</i>"
)

EXPORT_CAPTION = (
    "已导出 {n} 件工单。\n{scope}\n表格不含投诉人姓名、电话，诉求内容中的电话和身份证号已隐去。"
)
EXPORT_TOO_LARGE = (
    "符合条件的工单太多，文件超过了 Telegram 的大小限制。请加上日期、地区或状态等条件分几次导出。\n\n"
    + USAGE
)
