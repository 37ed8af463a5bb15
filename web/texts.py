"""Everything staff, supervisors and admins read in the web console (Simplified Chinese).

Templates reach these as `t.NAME`; Jinja2 escapes every value, so nothing here is markup.
"""

from __future__ import annotations

from cases import names

APP_NAME = "扶贫诉求工作台"
NAV_CASES = "工单"
NAV_DASHBOARD = "统计"
NAV_DOCUMENTS = "政策文件"
NAV_ROLES = "权限"
SIGN_OUT = "退出"
SIGNED_IN_AS = "用户ID {user_id}"
ROLE_LABELS = names.ROLE_NAMES

# ------------------------------------------------------------------ sign-in
SIGN_IN_TITLE = "登录工作台"
SIGN_IN_HOW = (
    "请在 Telegram 里给本机器人发送 /web，点开机器人发来的登录链接（10 分钟内有效，只能用一次）。"
)
SIGN_IN_WIDGET = "或者用 Telegram 账号登录："
SIGN_IN_LINK_TITLE = "确认登录"
SIGN_IN_LINK_BUTTON = "进入工作台"
SIGN_IN_LINK_NOTE = "点击按钮即用本链接登录。链接只能用一次。"
SIGN_IN_LINK_BAD = (
    "这个登录链接无效、已经用过或已过期。请在 Telegram 里重新发送 /web 获取新的链接。"
)
SIGN_IN_WIDGET_BAD = "Telegram 登录信息核对不上或已过期，请重新登录。"
SIGNED_OUT = "已退出登录。"
SESSION_ENDED = "登录已过期，请重新登录。"

# ------------------------------------------------------------------ refusals and errors
REFUSED_TITLE = "无权操作"
REFUSED = "您没有权限进行这项操作，也没有做任何改动。如需开通权限，请联系管理员。"
NO_ROLE = "您的账号没有工作人员、督办或管理员权限（或已被撤销），不能使用工作台。"
CSRF_REFUSED = "页面已过期或来源不明，操作没有执行。请刷新页面后重试。"
NOT_FOUND_TITLE = "找不到页面"
NOT_FOUND = "没有这个页面或工单。"
STORAGE_DOWN = "数据库暂时连不上，请稍后再试。没有做任何改动。"
BACK = "返回"

# ------------------------------------------------------------------ statuses (as case workers say them)
STATUS_NAMES = names.STATUS_NAMES
RATING_NAMES = names.RATING_NAMES

# ------------------------------------------------------------------ dashboard
DASHBOARD_TITLE = "统计"
SCOPE_ALL = "范围：全部地区"
SCOPE_REGIONS = "范围：{regions}"
AS_OF = "截至 {now}（北京时间）"
TOTAL = "工单总数"
RATES_TITLE = "三率"
RATE_RESPONSE = "响应率"
RATE_RESOLUTION = "解决率"
RATE_SATISFACTION = "满意率"
RATE_NONE = "—"
RATE_DEFINITIONS = {
    "响应率": "有工作人员或督办人员办理动作（受理、转办、回复、办结、不予受理等）的工单 ÷ 全部工单",
    "解决率": "最近一次状态为已办结或已结案的工单 ÷ 全部工单（不含不予受理、重复投诉）",
    "满意率": "最近一次回访为满意或基本满意的工单 ÷ 有回访评价的工单",
}
OVERDUE_TITLE = "超期未办"
OVERDUE_SUMMARY = "受理超期 {accept} 件，办结超期 {resolve} 件"
OVERDUE_NONE = "没有超期的工单。"
OVERDUE_DEFINITION = (
    "待受理、已转办的工单过了受理时限，已受理、办理中、重新办理的工单过了办结时限。"
)
DEADLINE_NAMES = names.DEADLINE_NAMES
BY_STATUS = "按状态"
BY_UNIT = "按主办单位"
BY_CATEGORY = "按类别"
BY_REGION = "按地区"
NO_UNIT = names.NO_UNIT
COL_NAME = "名称"
COL_COUNT = "件数"
COL_TICKET = "工单号"
COL_UNIT = "单位"
COL_DEADLINE = "时限"
COL_DUE = "到期"
CHART_TITLE = "近 {weeks} 周：新收、办结、到期未办结"
CHART_FILED = "新收"
CHART_RESOLVED = "办结"
CHART_OVERDUE = "到期未办结"
CHART_NOTE = (
    "按周（周一至周日，北京时间）统计：新收＝当周提交的工单；办结＝当周办结的工单；"
    "到期未办结＝办结时限落在当周、到时限仍未办结的工单（不含不予受理、重复投诉）。"
)
CHART_WEEK = "{month}/{day}"
EXPORT = "导出 CSV"
EXPORT_NOTE = "表格不含投诉人姓名、电话，诉求内容中的电话和身份证号已隐去。"
NO_CASES = "没有工单。"

# ------------------------------------------------------------------ admin: documents
DOCS_TITLE = "政策文件"
DOCS_COUNT = "共 {count} 份，段落 {passages} 段"
DOCS_COL_ID = "编号"
DOCS_COL_TITLE = "标题"
DOCS_COL_REGION = "地区"
DOCS_COL_PASSAGES = "段落"
DOCS_COL_ORIGIN = "来源"
DOCS_SHIPPED = "随程序发布"
DOCS_ADDED = "{when} 由 {by} 添加"
DOCS_UNREADABLE = "未能读取"
DOCS_REMOVE = "删除"
DOCS_UPLOAD_TITLE = "上传政策文件"
DOCS_UPLOAD_FILE = "文件（txt、docx、pdf、html，最大 {limit} MB）"
DOCS_UPLOAD_REGION = "适用地区（新地区请依次写上级地区，例如：闽侯县 福州市 福建省）"
DOCS_UPLOAD_BUTTON = "上传并重建知识库"
DOCS_RELOAD_BUTTON = "重建知识库索引"
DOCS_RELOAD_NOTE = "重建期间照常回答群众的问题；失败时继续使用原来的知识库。"
DOC_NO_FILE = "请选择要上传的文件。"
DOC_UNSUPPORTED = "不支持「{name}」这种文件。请上传 txt、docx、pdf 或 html 文件（旧版 Word 的 .doc 请先另存为 .docx）。文件未保存。"
DOC_TOO_LARGE = "文件太大，最大 {limit} MB。文件未保存。"
DOC_NO_REGION = "请填写文件适用的地区。文件未保存。"
DOC_BAD_REGION = "地区名称「{region}」不对，请只写地区名（最多 {limit} 个字）。文件未保存。"
DOC_UNKNOWN_REGION = (
    "知识库里没有「{region}」这个地区。已有的地区：{regions}。"
    "如是新地区，请依次写上它的上级地区，例如：闽侯县 福州市 福建省。文件未保存。"
)
DOC_REJECTED = "未能加入《{name}》：{reason}。文件没有保存，知识库保持不变。"
DOC_ADDED = "已加入知识库：{id}《{title}》（{region}），{passages} 段。"
REMOVE_UNKNOWN = "没有编号为「{value}」的管理员添加的文件；随程序发布的文件不能在这里删除。"
REMOVED = "已删除 {id}《{title}》。"
RELOAD_DONE = "知识库已重建：政策文件 {documents} 份，段落 {passages} 段。"
RELOAD_FAILED = "重建失败，仍在使用原来的知识库。原因：{reason}"
RELOAD_BUSY = "正在重建知识库，请稍后再试。"
PROBLEMS_HEADER = "未能读取的文件："
SELF_CHECK_HEADER = "自检："
SELF_CHECK_OK = "✅ {question} → 《{title}》"
SELF_CHECK_MISSED = "❌ {question}（没有答出来）"

# ------------------------------------------------------------------ admin: roles
ROLES_TITLE = "权限"
ROLES_COUNT = "生效中的授权 {count} 项"
ROLES_CONFIGURED = "配置文件（ADMIN_IDS）中的管理员：{ids}"
ROLES_COL_USER = "用户ID"
ROLES_COL_ROLE = "角色"
ROLES_COL_SCOPE = "范围"
ROLES_COL_WHEN = "授权时间"
ROLES_COL_BY = "授权人"
BY_CONFIG = "系统"
REVOKE = "撤销"
GRANT_TITLE = "授权"
GRANT_USER = "用户ID（对方给机器人发送 /myid 可看到）"
GRANT_ROLE = "角色"
GRANT_REGION = "地区（工作人员、督办必填）"
GRANT_UNIT = "单位（工作人员必填，须是该地区政策文件里的单位）"
GRANT_BUTTON = "授权"
GRANTED = "已授权：{user} 为{role}{scope}。"
REVOKED = "已撤销 {user} 的{role}权限（{count} 项）。"
REVOKE_NONE = "{user} 没有生效的{role}权限，未做改动。"
REVOKE_CONFIGURED_ADMIN = "{user} 是配置文件（ADMIN_IDS）里的管理员，需要修改配置才能撤销。"
BAD_USER_ID = "「{value}」不是有效的用户ID，用户ID 是一串数字。未做任何改动。"
BAD_ROLE = "请选择角色。未做任何改动。"
NEED_REGION = "工作人员和督办需要填写地区。未做任何改动。"
NEED_UNIT = "工作人员需要填写单位。未做任何改动。"
NO_SCOPE_FOR_ADMIN = "管理员不需要地区和单位，请留空。未做任何改动。"
NO_UNIT_FOR_SUPERVISOR = "督办管一个地区，不需要单位，请把单位留空。未做任何改动。"
UNKNOWN_REGION = "知识库里没有「{value}」这个地区。已有的地区：{regions}。未做任何改动。"
UNKNOWN_UNIT = "{region}的政策文件里没有「{value}」这个单位（写错的单位收不到工单）。该地区的单位：{units}。未做任何改动。"
SCOPE_UNIT = "（{region} {unit}）"
SCOPE_REGION = "（{region}）"

# ------------------------------------------------------------------ the local chat (scripts/run.sh)
LOCAL_CONSOLE = (
    "网页工作台：{url}\n"
    "本地管理员（用户ID {admin}）的登录链接，{minutes} 分钟内有效、只能用一次：\n{link}\n"
)
LOCAL_NO_CONSOLE = (
    "网页工作台没有启动：{host}:{port} 无法使用（{error}）。可设置 WEB_PORT 换一个端口。\n"
)

# ------------------------------------------------------------------ case list
CASES_TITLE = "工单"
CASES_SCOPE_STAFF = "本单位（{units}）的工单"
CASES_SCOPE_SUPERVISOR = "{regions}的工单"
CASES_SCOPE_ADMIN = "全部工单（管理员只读）"
FILTER_STATUS = "状态"
FILTER_OPEN = "未办结"
FILTER_ALL = "全部"
FILTER_UNIT = "单位"
FILTER_CATEGORY = "类别"
FILTER_REGION = "地区"
FILTER_SINCE = "提交日期从"
FILTER_UNTIL = "到"
FILTER_OVERDUE = "只看超期"
FILTER_TEXT = "工单号或关键词"
FILTER_APPLY = "筛选"
FILTER_RESET = "清除条件"
FILTER_ANY = "不限"
FILTER_BAD_DATE = "日期请写成 2026-11-01 这样的格式，这一条件没有用上。"
FILTER_DATE_ORDER = "开始日期晚于结束日期，日期条件没有用上。"
COUNTS = "符合条件 {total} 件 · 其中超期 {overdue} 件"
NO_MATCH = "没有符合条件的工单。"
COL_STATUS = "状态"
COL_CATEGORY = "类别"
COL_PLACE = "地点"
COL_UNITS = "承办单位"
COL_FILED = "提交时间"
COL_WAITING = "待办时限"
WAITING = {"accept": "受理", "resolve": "办结"}
OVERDUE_MARK = "已超期"
PAGE_OF = "第 {page} / {pages} 页"
PREVIOUS = "上一页"
NEXT = "下一页"

# ------------------------------------------------------------------ case page
CASE_TITLE = "工单 {ticket}"
CASE_FACTS = "基本情况"
CASE_DESCRIPTION = "诉求内容"
CASE_FILER = "投诉人"
CASE_ANONYMOUS = "匿名"
CASE_PLACE = "地点"
CASE_CATEGORY = "类别"
CASE_UNITS = "承办单位"
CASE_FILED = "提交时间"
CASE_TRANSFER_DUE = "可转办至"
CASE_RESOLVED_AT = "办结时间"
CASE_PHOTOS = "照片"
CASE_PHOTO = "照片 {n}"
CASE_TIMELINE = "办理经过"
CASE_ACTIONS = "办理"
CASE_NO_ACTIONS = "您对这件工单没有可做的办理操作。"
CASE_MASK_NOTE = "投诉人姓名、电话和文中的电话、身份证号已隐去。"
ACTION_ACCEPT = "受理"
ACTION_TRANSFER = "转办"
ACTION_TRANSFER_UNIT = "转给"
ACTION_TRANSFER_REASON = "转办原因"
ACTION_REPLY = "回复群众"
ACTION_REPLY_TEXT = "回复内容（群众会在 Telegram 收到）"
ACTION_RESOLVE = "办结"
ACTION_RESOLVE_TEXT = "办理结果（群众会在 Telegram 收到）"
ACTION_REJECT = "不予受理"
ACTION_REJECT_TEXT = "不予受理的原因（群众会在 Telegram 收到）"
ACTION_REVEAL = "查看投诉人身份"
ACTION_REVEAL_NOTE = "每次查看都会记入办理经过。"
REVEALED = "投诉人：{name}　电话：{phone}（{at} 查看，已记录）"
NOTHING_TO_REVEAL = "这是匿名投诉，没有保存投诉人身份。"
DONE = {
    "accept": "已受理。",
    "transfer": "已转办。",
    "reply": "已回复群众。",
    "resolve": "已办结，群众会收到回访。",
    "reject": "已不予受理。",
}
FILER_TOLD = "群众已在 Telegram 收到通知。"
FILER_NOT_TOLD = "群众是匿名投诉或无法接收消息，可用查询码查看进度。"
STALE = "这件工单的状态已经变了（{status}），操作没有执行。请看下面的最新情况。"
TRANSFER_CLOSED = "本单位的转办期限（{due}）已过，不能再转办；请办理，或请督办转交。"
TRANSFER_UNKNOWN_UNIT = "「{unit}」不是本地区可以转给的单位，没有转办。"
TEXT_EMPTY = "请写上内容（至少两个字）。没有做任何改动。"
TEXT_TOO_LONG = "内容太长了（{length} 字，最多 1000 字）。没有做任何改动。"
PHOTO_UNAVAILABLE = "照片暂时取不到。"
ACTORS = names.ACTOR_NAMES
EVENTS = names.EVENT_NAMES
EVENT_TO_UNITS = "转给 {units}"
# What an event's code means: a 回访 rating, or why a case went to the supervisors.
EVENT_CODES = {**RATING_NAMES, "overdue_accept": "受理超期", "overdue_resolve": "办结超期"}
