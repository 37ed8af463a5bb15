"""What the deadline check says to staff, supervisors and filers, in plain Simplified Chinese.

Telegram HTML; every value inserted with `str.format` must already be escaped by the caller.
Times are China time, "%Y-%m-%d %H:%M".
"""

# What each deadline is called, and what the unit should do before it.
DEADLINE_NAMES = {"accept": "受理", "resolve": "办结"}
DEADLINE_TODO = {
    "accept": "请尽快受理；不属于本单位的，请在期限内退回或转办。",
    "resolve": "请抓紧办理，在期限内办结并答复群众。",
}

CASE_HINT = "查看案件请发送：<code>/case {ticket}</code>"

REMINDER = (
    "⏰ <b>办理期限提醒</b>\n"
    "投诉编号：<b>{ticket}</b>\n"
    "类别：{category}　地区：{region}\n"
    "{deadline}期限：<b>{due}</b>（北京时间），还剩{left}。\n"
    "{todo}\n\n" + CASE_HINT
)

ESCALATION = (
    "⚠️ <b>超期督办</b>\n"
    "投诉编号：<b>{ticket}</b>\n"
    "类别：{category}　地区：{region}\n"
    "承办单位：{units}\n"
    "{deadline}期限：{due}（北京时间），<b>已超期{over}</b>。\n"
    "请督促承办单位尽快办理。\n\n" + CASE_HINT
)

ESCALATED_TO_STAFF = (
    "⚠️ 投诉 <b>{ticket}</b> 已超过{deadline}期限（{due}，北京时间），超期{over}，"
    "已报送督办人员。请尽快办理。\n\n" + CASE_HINT
)
# Nobody supervises the region yet: the overdue case is on record for the admins' statistics.
ESCALATED_TO_STAFF_NO_SUPERVISOR = (
    "⚠️ 投诉 <b>{ticket}</b> 已超过{deadline}期限（{due}，北京时间），超期{over}，"
    "已记入超期督办记录。请尽快办理。\n\n" + CASE_HINT
)

NO_UNIT = "（未指定）"

# 回访 window over: the case is closed. CLOSED_PUBLIC* go into the event, shown by /status.
CLOSED_PUBLIC_UNRATED = "本件已办结（回访期满，自动办结）。"
CLOSED_PUBLIC_RATED = "本件已办结（回访已完成）。"
CLOSED_TO_FILER_UNRATED = (
    "您反映的问题（编号 <b>{ticket}</b>）办理结果答复后，回访期已满，您没有评价，"
    "系统已按规定<b>自动办结</b>。\n"
    "如果问题还没解决，可以发 /complain 重新反映，也可以拨打 12317 扶贫监督举报电话。"
)
CLOSED_TO_FILER_RATED = (
    "您反映的问题（编号 <b>{ticket}</b>）已<b>办结</b>，感谢您的评价。\n"
    "如果还有问题，可以发 /complain 重新反映，也可以拨打 12317 扶贫监督举报电话。"
)

# Durations in words: "约 3 小时", "约 2 天 5 小时", "不到 1 小时".
LESS_THAN_AN_HOUR = "不到 1 小时"
HOURS = "约 {hours} 小时"
DAYS_HOURS = "约 {days} 天 {hours} 小时"
DAYS = "约 {days} 天"
