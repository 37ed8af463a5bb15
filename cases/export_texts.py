"""The words in an exported case spreadsheet (plain text cells, Simplified Chinese)."""

# Re-exported: cases.export reads them as t.*.
from cases.names import DEADLINE_NAMES
from cases.names import RATING_NAMES as RATING_NAMES
from cases.names import STATUS_NAMES as STATUS_NAMES

EXPORT_COLUMNS = [
    "工单号",
    "状态",
    "类别",
    "地区",
    "乡镇",
    "村",
    "责任单位",
    "协办单位",
    "提交时间",
    DEADLINE_NAMES["accept"],
    DEADLINE_NAMES["resolve"],
    "办结时间",
    "是否超期",
    "回访评价",
    "是否匿名",
    "诉求内容",
]
EXPORT_FILENAME = "投诉工单_{date}.csv"
YES, NO = "是", "否"
OVERDUE_ACCEPT_CELL = "是（受理超期）"
OVERDUE_RESOLVE_CELL = "是（办结超期）"
LATE_RESOLVED_CELL = "是（超期办结）"
