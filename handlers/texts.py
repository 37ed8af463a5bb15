"""Everything the bot says to residents on Telegram, in plain Simplified Chinese.

HTML markup here is Telegram's subset; anything inserted with `str.format` must already be
escaped by the caller.
"""

HOTLINE = "12317"

WELCOME = (
    "您好，{name}！我是<b>扶贫政策问答助手</b>。\n\n"
    "我可以帮您：\n"
    "• 查政策：看病报销、孩子上学、危房改造、低保、产业补贴等，能领什么、领多少、找谁办；\n"
    "• 反映问题：该享受的没享受到、办事被刁难，都可以投诉，和打 12317 扶贫监督举报电话一样。\n\n"
    "请先点下面的按钮，选您所在的地方，我好按当地政策回答。"
)
WELCOME_REGION_SET = (
    "\n\n您现在选的地方是：<b>{region}</b>。直接发文字提问就行，换地方请发 /region。"
)

HELP = (
    "<b>怎么用</b>\n"
    "直接用大白话发问题，比如：\n"
    "• 娃上大学有什么补助？\n"
    "• 看病能报销多少？\n"
    "• 盖房子有补贴吗？\n\n"
    "回答下面有按钮：<b>查看原文</b>看政策原话，<b>相关政策</b>看还有哪些规定，<b>我要投诉</b>反映问题。\n\n"
    "/complain 投诉、反映问题\n"
    "/status 查询投诉进度\n"
    "/region 选择或更换地方\n"
    "/cancel 取消当前操作\n"
    "/help 再看一遍说明\n\n"
    "也可以拨打 12317 扶贫监督举报电话。"
)

# /help for people with a role (handlers/staff_help.py); residents' commands still work for them.
HELP_STAFF = (
    "<b>工作人员</b>\n"
    "/queue 本单位待办投诉，按时限先后排列（/queue 2 看第 2 页）\n"
    "/case 工单号 打开一件投诉：受理、转办、回复群众、办结、不予受理\n"
    "受理和办结都有时限（按工作日算，写在案件卡片上），快到期会提醒，超期会报督办。"
)
HELP_SUPERVISOR = (
    "<b>督办</b>\n"
    "/queue 本地区所有待办投诉；/case 工单号 查看、办理，可查看投诉人身份（每次查看都会记录）\n"
    "/stats 统计：按状态、单位、类别、地区，响应率、解决率、满意率\n"
    "/export 导出工单表格（CSV，Excel 可直接打开），可加条件，如 /export 状态=未办结 从=2026-11-01"
)
HELP_ADMIN = (
    "<b>管理员</b>\n"
    "/grant 用户ID 工作人员 地区 单位 ｜ /grant 用户ID 督办 地区 ｜ /grant 用户ID 管理员\n"
    "/revoke 用户ID 角色 收回权限；/roles 查看所有权限；/myid 查看自己的用户ID\n"
    "/stats、/export 统计和导出全部投诉\n"
    "/reload 重建政策库；直接发送文件（txt、docx、pdf、html，说明里写地区）添加政策；"
    "/docs 查看政策文件；/remove 编号 删除添加的文件"
)

CHOOSE_REGION = "请选择您所在的地方："
CHOOSE_REGION_CURRENT = "您现在选的是 <b>{region}</b>。要换的话请点下面的按钮："
REGION_ALL = "不限地方"
REGION_SET = "好的，已经选好：<b>{region}</b>。\n现在可以直接发文字提问了，比如“娃上学有什么补助？”"
REGION_CLEARED = "好的，不限地方。我会从问题里找地名，找不到就按所有政策回答。"
REGION_TOAST = "已选择：{region}"
NO_REGIONS = "暂时还没有可选的地方，请直接提问。"

CANCELLED = "已取消。有问题可以直接发文字问我。"

BUTTON_SOURCE = "查看原文"
BUTTON_RELATED = "相关政策"
BUTTON_COMPLAIN = "我要投诉"
BUTTON_SOURCE_N = "原文 {n}"

SOURCE_HEADER = "<b>{citation}</b>\n\n"
RELATED_HEADER = "<b>相关政策</b>\n"
RELATED_ITEM = "\n<b>{n}.</b> {citation}\n{snippet}\n"
NO_RELATED = "没有找到更多相关的政策。"
EXPIRED = "这条回答已经过期了，请重新发一遍您的问题。"
STALE_TOAST = "已过期"

RELATED_OTHER_PLACE = "（{region}的规定，不是您那里的）"

ASK_PLACE = "您是哪个地方的？各地的政策不一样，请点一下您所在的地方，我按那里的规定回答："
SUGGEST = (
    "我不太确定您问的是哪一条。<b>您问的是不是：</b>\n"
    "点一下就能看到回答；都不是的话，可以换个说法再问，或者点“我要投诉”。"
)
UNCOVERED = (
    "您问的是<b>{place}</b>的政策。我这里的扶贫政策文件只有{regions}的，"
    "没有{place}的规定，不能拿别的地方的标准来回答您。\n\n"
    "请向当地村委会、乡镇政府或县扶贫办咨询，也可以拨打全国扶贫监督举报电话 <b>12317</b>。"
)
UNCOVERED_SOMEWHERE = "您那里"

COMPLAIN_PLACEHOLDER = (
    "要反映问题，请发 /complain ，我会一步步帮您登记。\n"
    "也可以直接拨打 <b>12317</b> 扶贫监督举报电话。"
)

TICKET_IN_QUESTION = (
    "要查投诉的进度，请发：/status {ticket} 查询码\n"
    "（查询码是登记时发给您的8位数字）。用提交时的这个账号直接发 /status 也能看到。"
)
EMPTY_QUESTION = "请用文字说说您想问什么，比如“看病能报销多少？”"
UNKNOWN_COMMAND = "没有这个命令。直接发文字提问就行，或者发 /help 看说明。"
NOT_TEXT = "我现在只能看懂文字消息，请把问题打成文字发给我。"
QUESTION_TRUNCATED_NOTE = "（您的消息太长，我只看了前面一部分。）\n\n"

REFUSED = "抱歉，您没有权限做这件事。工作人员请联系管理员开通或确认权限。"

FLOOD = "您发得太快了，请稍等几秒再发，我会一条一条回答您。"
ERROR_RETRY = "抱歉，刚才出了点问题，没能处理您的消息。请稍后再试一次。"

# Command menu registered with Telegram (setMyCommands).
COMMANDS = [
    ("start", "开始使用，选择所在地方"),
    ("region", "选择或更换地方"),
    ("help", "使用说明"),
    ("complain", "投诉、反映问题"),
    ("status", "查询投诉进度"),
    ("cancel", "取消当前操作"),
]


# ------------------------------------------------------------------ complaints (handlers/complaints.py)

# Category buttons in residents' words; a category missing here shows its label from the data file.
CATEGORY_BUTTONS = {
    "identification_unfair": "评贫困户不公平",
    "fund_misuse": "扶贫钱被扣、被挪用",
    "cadre_conduct": "干部不办事、吃拿卡要",
    "housing_renovation": "危房改造、盖房子",
    "education_subsidy": "娃上学的补助",
    "medical_reimbursement": "看病报销",
    "dibao_social_assistance": "低保、救助",
    "disability_support": "残疾人补贴",
    "employment": "打工、找工作、培训",
    "microcredit": "扶贫贷款",
    "industry_project": "种养、产业补贴",
    "infrastructure_road_water": "路、水、电、网",
    "living_environment": "村里环境卫生",
    "relocation": "搬迁安置",
    "ecology_forestry": "护林员、生态补偿",
    "other": "其他问题",
}

COMPLAINT_INTRO = (
    "<b>反映问题（投诉）</b>\n"
    "我会一步步帮您登记，和打 12317 扶贫监督举报电话一样，会交给负责的单位办理。"
    "随时发 /cancel 可以取消。\n\n"
)
COMPLAINT_RESUME = "您还有一份没填完的投诉，我们接着填。\n\n"
ASK_CATEGORY = "<b>第 1 步：</b>您要反映的是哪方面的问题？请点下面的按钮："
ASK_REGION = "<b>第 2 步：</b>问题发生在哪里？请选县（区）或省："
ASK_REGION_KNOWN = "<b>第 2 步：</b>问题是发生在这里吗？是的话点一下；不是的话点“其他地方”。"
BUTTON_KNOWN_PLACE = "是，{place}"
BUTTON_OTHER_PLACE = "其他地方"
CATEGORY_CHOSEN = "<b>第 1 步：</b>问题类别已选好：{category}\n\n"
ASK_TOWNSHIP = (
    "<b>第 2 步：</b>是哪个乡镇、哪个村？请打字告诉我，比如“镇头镇 石门村”。\n（已选：{region}）"
)
ASK_DESCRIPTION = (
    "<b>第 3 步：</b>请把发生了什么写清楚：什么时候、谁、什么事、现在怎么样了。\n"
    "至少 10 个字，最多 2000 个字。有照片也可以发过来（可以不发）。"
)
ASK_CONTACT = (
    "<b>第 4 步：</b>要不要留下姓名和电话？\n"
    "• 留名：办理单位可以打电话向您了解情况、告诉您结果；\n"
    "• 匿名：不记录您是谁，以后只能凭投诉编号和查询码查进度。"
)
ASK_NAME = "请告诉我您的姓名（办理单位联系您时怎么称呼）："
ASK_PHONE = "请发您的手机号码（11 位，比如 138 1234 5678）："
BUTTON_ANONYMOUS = "匿名反映"
BUTTON_NAMED = "留下姓名和电话"
BUTTON_CONFIRM = "确认提交"
BUTTON_EDIT = "修改"
BUTTON_CANCEL = "取消"
BUTTON_EDIT_CATEGORY = "问题类别"
BUTTON_EDIT_PLACE = "地点"
BUTTON_EDIT_DESCRIPTION = "事情经过"
BUTTON_EDIT_CONTACT = "联系方式"
BUTTON_BACK = "返回"
BUTTON_FILE_ANYWAY = "还是要提交"
BUTTON_DROP = "不提交了"
BUTTON_RETRY = "重试"

SUMMARY = (
    "<b>请核对您的投诉</b>\n\n"
    "<b>问题类别：</b>{category}\n"
    "<b>地点：</b>{place}\n"
    "<b>事情经过：</b>{description}\n"
    "<b>照片：</b>{photos}\n"
    "<b>联系方式：</b>{contact}\n"
    "<b>将交给：</b>{units}\n\n"
    "没问题请点“确认提交”；要改请点“修改”。"
)
SUMMARY_NO_PHOTOS = "没有"
SUMMARY_PHOTOS = "{n} 张"
SUMMARY_ANONYMOUS = "匿名"
SUMMARY_NAMED = "{name}，{phone}"
UNITS_UNKNOWN = "当地扶贫部门"
UNITS_WITH_COPIES = "{primary}（同时抄送：{others}）"
ASK_WHAT_TO_EDIT = "要修改哪一项？"

DUPLICATE_FOUND = (
    "您在 {date} 已经反映过差不多的问题，编号 <b>{ticket}</b>，现在的状态是：{status}。\n"
    "同一件事不用重复提交，发 /status {ticket} 可以查进度。还要再提交一次吗？"
)
DUPLICATE_ANONYMOUS = (
    "您最近已经匿名反映过同样的内容了。同一件事不用重复提交，凭当时的编号和查询码发 /status 可以查进度。\n"
    "还要再提交一次吗？"
)
FILING_LIMIT = (
    "您今天已经提交了 {n} 件投诉，这是每天能提交的上限，明天可以继续提交。\n"
    "已经提交的投诉会照常办理；情况紧急请直接拨打 12317 扶贫监督举报电话。"
)
STORAGE_UNAVAILABLE = (
    "抱歉，系统暂时保存不了，您的投诉<b>还没有提交</b>。\n您填的内容我都记着，请过一会儿点“重试”。"
)
FILED = (
    "<b>已经登记好了。</b>\n"
    "投诉编号：<b>{ticket}</b>\n"
    "交给：{units} 办理。按规定 1 个工作日内受理，一般 15 天内办结，有进展会在这里告诉您。"
)
QUERY_CODE = (
    "查询码：<b>{code}</b>\n"
    "请记下来或截图保存，这个码只显示这一次。"
    "{anonymous_note}"
    "查进度发：/status {ticket} {code}"
)
PENDING_TICKET_LEAD = "您之前提交的投诉已经登记好了，当时的消息没能发到您这里，现在补发给您：\n\n"
QUERY_CODE_ANONYMOUS_NOTE = (
    "您是匿名反映的，系统没有记录您是谁，<b>只有凭编号和查询码才能查进度</b>。\n"
)
QUERY_CODE_NAMED_NOTE = (
    "在这里发 /status 就能看到您的投诉；换了手机或账号，凭编号和查询码也能查。\n"
)
COMPLAINT_CANCELLED = "好的，这次投诉已经取消，没有提交。想反映问题随时发 /complain。"
SUBMITTING_TOAST = "正在提交，请稍等"
STALE_STEP_TOAST = "这个按钮已经失效了"
CONTINUE_WITH_COMPLAIN = "您还有一份没填完的投诉。这个按钮已经失效了，请发 /complain 接着填。"
STALE_STEP = "这一步已经结束了。要反映问题请发 /complain，查进度请发 /status。"
PRESS_A_BUTTON = "请点上面消息下面的按钮来选择。"

BAD_EMPTY = "没有收到文字，请再发一次。"
BAD_NOT_WORDS = "我看不懂这条消息，请用文字说明。"
BAD_TEXT_EXPECTED = "这一步需要您打字回复，请用文字发给我。"
DRAFT_EXPIRED = (
    "您之前没填完的投诉已经超过 {hours} 小时没有继续，为了保护您的信息，填过的内容已经删除，没有提交。\n"
    "要反映问题，请重新发 /complain。"
)
EDIT_NOT_HANDLED = (
    "您修改了之前发的消息。修改过的消息不会重新处理，请把要问或要办的内容重新发一条。"
)
BAD_TOWNSHIP = "请写清乡镇和村的名字（2 到 50 个字），比如“镇头镇 石门村”。"
BAD_TOWNSHIP_NUMBER = (
    "这一步只写乡镇和村的名字，请不要写电话、身份证或银行卡号码，比如“镇头镇 石门村”。\n"
    "留电话的地方在后面，选“留下姓名和电话”时再填。"
)
BAD_DESCRIPTION_SHORT = "写得太短了，请至少写 10 个字，把事情说清楚。"
BAD_DESCRIPTION_LONG = "写得太长了（{n} 个字），请控制在 2000 个字以内，只写最要紧的。"
BAD_NAME = "请只写姓名（1 到 20 个字，不要带数字），比如“张大山”。"
BAD_PHONE = "这好像不是手机号码。请发 11 位手机号码，比如 138 1234 5678。"
PHOTO_RECEIVED = "照片收到了（共 {n} 张）。请再用文字把事情经过写清楚。"
PHOTO_RECEIVED_DONE = "照片收到了（共 {n} 张）。"
PHOTO_LIMIT = "照片最多 {n} 张，这张没有收下。请用文字把事情经过写清楚。"

STATUS_LABELS = {
    "submitted": "已提交，等待受理",
    "accepted": "已受理",
    "in_progress": "正在办理",
    "transferred": "已转给其他单位",
    "resolved": "已办结",
    "closed": "已结案",
    "rejected": "不予受理",
    "duplicate": "重复投诉，已合并",
    "reopened": "重新办理",
    "reply": "办理单位回复",
    "feedback": "您的评价",
}
STATUS_NONE = (
    "您还没有留名提交过投诉。\n匿名投诉请发：/status 投诉编号 查询码\n要反映问题请发 /complain。"
)
STATUS_NOT_FOUND = (
    "没有查到这件投诉。请核对编号（像 FP20240101-000001 这样）；"
    "匿名投诉要同时发查询码：/status 投诉编号 查询码"
)
COMPLAINTS_PRIVATE_ONLY = "为了保护您的隐私，投诉和查询进度请私聊我，不要在群里发。"
STATUS_LOCKED = (
    "这件投诉的查询码输错的次数太多，为了保护投诉人，暂时不能查询，请明天再试。\n"
    "如果查询码丢了，请拨打 12317 扶贫监督举报电话说明情况。"
)
STATUS_UNAVAILABLE = "抱歉，系统暂时查不了，请过一会儿再试。"
STATUS_LIST_HEADER = "<b>您的投诉</b>（最近 {n} 件）\n"
STATUS_LIST_ITEM = "\n<b>{ticket}</b> {category}\n{date} 提交 · {status}\n"
STATUS_LIST_FOOTER = "\n看某一件的详细进度，发：/status 投诉编号"
STATUS_DETAIL = (
    "<b>投诉编号 {ticket}</b>\n"
    "<b>状态：</b>{status}\n"
    "<b>问题类别：</b>{category}\n"
    "<b>地点：</b>{place}\n"
    "<b>办理单位：</b>{units}\n"
    "<b>事情经过：</b>{description}\n\n"
    "<b>办理记录</b>\n{history}"
)
STATUS_HISTORY_ITEM = "{date} {status}{public}\n"

GRIEVANCE_ACK = (
    "听起来您遇到了不公平的事（{category}）。要正式反映的话，点下面的“我要投诉”，"
    "我帮您登记，类别已经替您选好了，交给负责的单位办理（和打 12317 一样）。\n\n"
)
