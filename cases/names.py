"""What staff, supervisors and admins call statuses, ratings, roles and actors, in every adapter
(Telegram, the web console, the exported spreadsheet): one vocabulary, Simplified Chinese."""

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
ROLE_NAMES = {"admin": "管理员", "supervisor": "督办", "staff": "工作人员"}
ACTOR_NAMES = {
    "resident": "群众",
    "staff": "工作人员",
    "supervisor": "督办",
    "admin": "管理员",
    "system": "系统",
}
