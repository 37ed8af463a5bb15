"""What the bot says about case work: to staff and supervisors, and to the filer about their case.

Telegram HTML; anything inserted with `str.format` must already be escaped by the caller.
"""

from cases import names

HOTLINE = "12317"
SUPERVISOR_NAME = "督办部门"

# How staff see a status (residents have their own wording in handlers/texts.py).
STATUS = names.STATUS_NAMES
ACTORS = names.ACTOR_NAMES
ACTIONS = names.EVENT_NAMES
RATINGS = names.RATING_NAMES
ESCALATION_REASONS = {
    "overdue_accept": "超期未受理",
    "overdue_resolve": "超期未办结",
    "unsatisfied": "群众不满意",
}
DEADLINE_NAMES = names.DEADLINE_NAMES
_ACCEPT_DUE, _RESOLVE_DUE = DEADLINE_NAMES["accept"], DEADLINE_NAMES["resolve"]
OVERDUE = " <b>⚠已超期</b>"
NO_DEADLINE = "未设定"

BUTTON_OPEN = "打开案件"
BUTTON_ACCEPT = "受理"
BUTTON_TRANSFER = "转办"
BUTTON_REPLY = "回复群众"
BUTTON_RESOLVE = "办结"
BUTTON_REJECT = "不予受理"
BUTTON_REVEAL = "查看身份"
BUTTON_PREVIOUS = "上一页"
BUTTON_NEXT = "下一页"
BUTTON_CANCEL = "取消"

# ------------------------------------------------------------------------------ notices

NOTICE_FILED = "<b>新案件待受理</b>\n"
NOTICE_FILED_NO_STAFF = (
    "<b>新案件待分派</b>\n{units} 还没有登记工作人员，请督办部门受理或转给有关单位。\n"
)
NOTICE_TRANSFERRED = "<b>转办案件待受理</b>\n由 {from_units} 转来，原因：{reason}\n"
NOTICE_TRANSFERRED_NO_STAFF = (
    "<b>转办案件待分派</b>\n"
    "由 {from_units} 转给 {units}，原因：{reason}\n"
    "{units} 还没有登记工作人员，请督办部门受理或转给有关单位。\n"
)
NOTICE_BODY = (
    "\n编号：<b>{ticket}</b>\n"
    "问题类别：{category}\n"
    "地点：{place}\n"
    f"{_ACCEPT_DUE}：{{accept_due}}（北京时间）\n"
    "事情经过：{description}"
)
NOTICE_UNSATISFIED = (
    "<b>群众不满意，案件重新办理</b>\n"
    "编号：<b>{ticket}</b>（{units}）\n"
    "群众对办理结果不满意，案件已重新交办，请督促办理。\n"
    f"新的{_RESOLVE_DUE}：{{resolve_due}}（北京时间）"
)

# ------------------------------------------------------------------------------ /queue

QUEUE_HEADER = "<b>待办案件</b>（共 {total} 件，第 {page}/{pages} 页，最急的在前）\n"
QUEUE_ITEM = "\n<b>{n}. {ticket}</b> {status}\n{category} · {place}\n{deadline}：{due}{overdue}\n"
QUEUE_EMPTY = "目前没有待办的案件。有新案件转来时，我会第一时间通知您。"
QUEUE_USAGE = "查看待办案件请发 /queue ，看第 2 页发 /queue 2 。"

# ------------------------------------------------------------------------------ the case card

CARD = (
    "<b>案件 {ticket}</b>\n"
    "<b>状态：</b>{status}\n"
    "<b>问题类别：</b>{category}\n"
    "<b>地点：</b>{place}\n"
    "<b>办理单位：</b>{units}\n"
    "<b>提交时间：</b>{filed}\n"
    f"<b>{_ACCEPT_DUE}：</b>{{accept_due}}{{accept_overdue}}\n"
    f"<b>{_RESOLVE_DUE}：</b>{{resolve_due}}{{resolve_overdue}}\n"
    "<b>反映人：</b>{filer}\n"
    "<b>事情经过：</b>{description}\n\n"
    "<b>办理记录</b>\n{history}"
)
CARD_HISTORY_ITEM = "{date} {actor}{action}{detail}\n"
CARD_HISTORY_MORE = "（更早的 {n} 条记录略）\n"
FILER_ANONYMOUS = "匿名，未留身份"
FILER_NO_NAME = "未留姓名"
UNITS_NONE = "未分派"

CASE_USAGE = "查看案件请发：/case 投诉编号，比如 /case FP20240101-000001"
CASE_NOT_FOUND = "没有找到这个编号的案件，请核对后再发。"
UNAVAILABLE = (
    "抱歉，系统暂时用不了。请过一会儿发 /case 投诉编号 看看案件现在的情况，需要的话再操作一次。"
)
BUTTON_EXPIRED = "这个按钮已经失效了，请发 /queue 重新打开案件。"

# ------------------------------------------------------------------------------ actions

TRANSFER_TOO_LATE = "转办时限（{due}）已过：请本单位办理。确实不归本单位管的，请联系督办人员转办。"
STALE_ACTION = (
    "这件案件现在是“{status}”，这一步已经不能做了，没有做任何改动。下面是案件的最新情况："
)
ASK_REPLY = "请输入要回复群众的话（最多 {n} 个字），我会转告反映人。\n发 /cancel 取消。"
ASK_RESOLVE = "请输入办理结果（最多 {n} 个字），我会告诉反映人并请他评价。\n发 /cancel 取消。"
ASK_REJECT = "请输入不予受理的理由（最多 {n} 个字），我会告诉反映人。\n发 /cancel 取消。"
ASK_TRANSFER_UNIT = "案件 <b>{ticket}</b> 要转给哪个单位？请点下面的按钮（第 {page}/{pages} 页）："
ASK_TRANSFER_REASON = (
    "转给 <b>{unit}</b>。请输入转办理由（最多 {n} 个字），我会告诉反映人。\n发 /cancel 取消。"
)
NO_UNITS_TO_TRANSFER = "没有找到可以转办的其他单位。请联系督办部门处理。"
INPUT_EMPTY = "没有收到内容，请用文字再写一遍。发 /cancel 取消。"
INPUT_TOO_LONG = "写得太长了（{n} 个字），请控制在 {limit} 个字以内。发 /cancel 取消。"
INPUT_NOT_TEXT = "这一步需要打字回复，请用文字发给我。发 /cancel 取消。"
INPUT_CANCELLED = "好的，已取消，案件没有改动。"

DONE_ACCEPTED = "已受理案件 <b>{ticket}</b>，请在 {resolve_due} 前办结。"
DONE_TRANSFERRED = "案件 <b>{ticket}</b> 已转给 {unit}。"
DONE_REPLIED = "回复已转告反映人（案件 <b>{ticket}</b>）。"
DONE_RESOLVED = "案件 <b>{ticket}</b> 已办结，已请反映人评价。"
DONE_REJECTED = "案件 <b>{ticket}</b> 已按不予受理处理，理由已告诉反映人。"
FILER_NOT_REACHED = "\n（反映人是匿名的，或暂时联系不上，没能直接通知；办理情况已记录，反映人凭编号和查询码发 /status 能看到。）"

REVEAL = "<b>案件 {ticket} 反映人身份</b>\n姓名：{name}\n电话：{phone}\n（本次查看已记录：{who}，{when}）"
REVEAL_ANONYMOUS = "案件 <b>{ticket}</b> 是匿名反映的，系统没有保存反映人的任何身份信息。"

# ------------------------------------------------------------------------------ to the filer

TO_FILER_ACCEPTED = (
    "您反映的问题（编号 <b>{ticket}</b>）已由 {who} 受理，"
    "预计 {resolve_due} 前办结。有进展会在这里告诉您。"
)
TO_FILER_TRANSFERRED = (
    "您反映的问题（编号 <b>{ticket}</b>）已转交 <b>{unit}</b> 办理。\n转办原因：{reason}"
)
TO_FILER_REPLY = "关于您反映的问题（编号 <b>{ticket}</b>），{who} 回复：\n\n{text}"
TO_FILER_RESOLVED = (
    "您反映的问题（编号 <b>{ticket}</b>）已办结。\n"
    "<b>办理结果：</b>{result}\n\n"
    "请问您对办理结果满意吗？请在 {days} 天内点下面的按钮评价。不满意的话，会重新交办。"
)
TO_FILER_REJECTED = (
    "您反映的问题（编号 <b>{ticket}</b>），{who} 决定不予受理。\n"
    "<b>理由：</b>{reason}\n\n"
    "如有异议，可以拨打 " + HOTLINE + " 扶贫监督举报电话，或向当地扶贫办、纪委监委反映。"
)
TRANSFER_PUBLIC = "转交{unit}办理。原因：{reason}"
REOPENED_PUBLIC = "您对办理结果不满意，已重新交办。"

THANKS_SATISFIED = "谢谢您的评价（{rating}）！这件事已经结案。以后有问题，随时发 /complain 反映。"
THANKS_UNSATISFIED = (
    "收到，您对办理结果不满意。案件已重新交办，并报告了督办部门。\n"
    f"新的{_RESOLVE_DUE}：{{resolve_due}}。有进展会在这里告诉您。"
)
RATING_ONLY_FILER = "只有反映人本人可以评价这件事。"
RATING_DONE = "这件事已经评价过了，谢谢您。发 /status {ticket} 可以看办理记录。"
RATING_TOO_LATE = (
    "评价期限（办结后 {days} 天）已经过了，这次评价没有记录。"
    "如果问题还没解决，可以发 /complain 重新反映，或拨打 " + HOTLINE + "。"
)
RATING_BUSY = "正在处理您的评价，请稍等"
