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
WELCOME_REGION_SET = "\n\n您现在选的地方是：<b>{region}</b>。直接发文字提问就行，换地方请发 /region。"

HELP = (
    "<b>怎么用</b>\n"
    "直接用大白话发问题，比如：\n"
    "• 娃上大学有什么补助？\n"
    "• 看病能报销多少？\n"
    "• 盖房子有补贴吗？\n\n"
    "回答下面有按钮：<b>查看原文</b>看政策原话，<b>相关政策</b>看还有哪些规定，<b>我要投诉</b>反映问题。\n\n"
    "/region 选择或更换地方\n"
    "/cancel 取消当前操作\n"
    "/help 再看一遍说明\n\n"
    "也可以拨打 12317 扶贫监督举报电话。"
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

COMPLAIN_PLACEHOLDER = (
    "要反映问题，请发 /complain ，我会一步步帮您登记。\n"
    "也可以直接拨打 <b>12317</b> 扶贫监督举报电话。"
)

EMPTY_QUESTION = "请用文字说说您想问什么，比如“看病能报销多少？”"
UNKNOWN_COMMAND = "没有这个命令。直接发文字提问就行，或者发 /help 看说明。"
NOT_TEXT = "我现在只能看懂文字消息，请把问题打成文字发给我。"
QUESTION_TRUNCATED_NOTE = "（您的消息太长，我只看了前面一部分。）\n\n"

FLOOD = "您发得太快了，请稍等几秒再发，我会一条一条回答您。"
ERROR_RETRY = "抱歉，刚才出了点问题，没能处理您的消息。请稍后再试一次。"

# Command menu registered with Telegram (setMyCommands).
COMMANDS = [
    ("start", "开始使用，选择所在地方"),
    ("region", "选择或更换地方"),
    ("help", "使用说明"),
    ("cancel", "取消当前操作"),
]
