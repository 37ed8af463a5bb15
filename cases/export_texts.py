"""The words in an exported case spreadsheet (plain text cells, Simplified Chinese)."""

# Status names as case workers say them (residents see handlers.texts.STATUS_LABELS).
STATUS_NAMES = {
    "submitted": "待受理",
    "transferred": "已转办",
    "accepted": "已受理",
    "in_progress": "办理中",
    "reopened": "重新办理",
    "resolved": "已办结",
    "closed": "已结案",
    "rejected": "不予受理",
    "duplicate": "重复投诉",
}
RATING_NAMES = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
EXPORT_COLUMNS = [
    "工单号", "状态", "类别", "地区", "乡镇", "村", "责任单位", "协办单位", "提交时间", "受理时限", "办结时限",
    "办结时间", "是否超期", "回访评价", "是否匿名", "诉求内容",
]
EXPORT_FILENAME = "投诉工单_{date}.csv"
YES, NO = "是", "否"
OVERDUE_ACCEPT_CELL = "是（受理超期）"
OVERDUE_RESOLVE_CELL = "是（办结超期）"
LATE_RESOLVED_CELL = "是（超期办结）"
