"""What staff, supervisors and admins call statuses, events, ratings, roles and actors, in every
adapter (Telegram, the web console, the exported spreadsheet): one vocabulary, Simplified Chinese."""

from collections import Counter
from collections.abc import Sequence

from storage.reports import UnitCount

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
# What happened to a case, as its timeline says it.
EVENT_NAMES = {
    "submitted": "提交投诉",
    "accepted": "受理",
    "in_progress": "办理中",
    "transferred": "转办",
    "resolved": "办结",
    "closed": "结案",
    "rejected": "不予受理",
    "duplicate": "重复投诉",
    "reopened": "重新办理",
    "reply": "回复群众",
    "feedback": "回访评价",
    "remind": "时限提醒",
    "escalate": "报督办",
    "reveal_identity": "查看投诉人身份",
}
ACTOR_NAMES = {
    "resident": "群众",
    "staff": "工作人员",
    "supervisor": "督办",
    "admin": "管理员",
    "system": "系统",
}
# A case's two deadlines, under the keys storage.lifecycle.pending_deadline gives them.
DEADLINE_NAMES = {"accept": "受理时限", "resolve": "办结时限"}
# A case no unit has been assigned to, where statistics and lists name its unit.
NO_UNIT = "未分派"


def unit_labels(units: Sequence[UnitCount]) -> list[tuple[str, int]]:
    """Each unit's count under its name, the region added where one name stands for units of
    several regions (县住建局（闽清县）, 县住建局（古田县）)."""
    named = Counter(u.name for u in units if u.name is not None)
    return [
        (
            NO_UNIT
            if u.name is None
            else f"{u.name}（{u.region}）"
            if named[u.name] > 1 and u.region
            else u.name,
            u.count,
        )
        for u in units
    ]
