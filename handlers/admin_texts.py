"""What admins (and the people they grant roles to) read: roles, the knowledge base, documents.

Telegram HTML; every `{placeholder}` is filled with an escaped value.
"""

from cases import names

# ------------------------------------------------------------------ roles (handlers/admin_roles.py)

MY_ID = "您的 Telegram 用户ID：<code>{user_id}</code>\n需要开通工作人员、督办权限时，请把这个ID发给管理员。"

GRANT_USAGE = (
    "用法：\n"
    "/grant 用户ID 工作人员 地区 单位\n"
    "　例：/grant 123456789 工作人员 闽清县 县住建局\n"
    "/grant 用户ID 督办 地区\n"
    "　例：/grant 123456789 督办 闽清县\n"
    "/grant 用户ID 管理员\n"
    "用户ID 是对方的 Telegram 数字ID，对方给本机器人发送 /myid 即可看到。"
)
REVOKE_USAGE = (
    "用法：/revoke 用户ID 角色\n　例：/revoke 123456789 工作人员\n角色：工作人员、督办、管理员。"
)
BAD_USER_ID = "「{value}」不是有效的用户ID，用户ID 是一串数字。"
BAD_ROLE = "不认识的角色「{value}」。可用的角色：工作人员、督办、管理员。"
UNKNOWN_REGION = (
    "知识库里没有「{value}」这个地区，请填写县（区）、市或省的名称。已有的地区：{regions}"
)
UNIT_TOO_LONG = "单位名称太长了（最多 {limit} 个字），请重新输入。"
NOTHING_CHANGED = "\n未做任何改动。"

ROLE_NAMES = names.ROLE_NAMES
SCOPE_UNIT = "（{region} {unit}）"
SCOPE_REGION = "（{region}）"

GRANTED = "已授权：{user} 为{role}{scope}。"
GRANTED_TOLD = "已通知对方。"
GRANTED_NOT_TOLD = (
    "对方还没有打开过本机器人（或已屏蔽），无法通知；请让对方先给机器人发送 /start，权限已生效。"
)
NOTICE_STAFF = (
    "您已被设置为 <b>{region} {unit}</b> 的工作人员。\n"
    "发送 /queue 查看本单位待办的投诉，新的投诉转到本单位时我会通知您。"
)
NOTICE_SUPERVISOR = (
    "您已被设置为 <b>{region}</b> 的督办人员。\n"
    "本地区超期和群众不满意的投诉会转给您；发送 /stats 查看统计。"
)
NOTICE_ADMIN = (
    "您已被设置为<b>管理员</b>。\n"
    "权限：/grant 授权、/revoke 撤销、/roles 查看授权\n"
    "知识库：/reload 重建、/docs 文件列表、/remove 删除文件；直接发送政策文件（说明里写地区）即可加入。"
)

REVOKED = "已撤销 {user} 的{role}权限（{count} 项）。"
REVOKE_NONE = "{user} 没有生效的{role}权限，未做改动。"
REVOKE_CONFIGURED_ADMIN = "{user} 是配置文件（ADMIN_IDS）里的管理员，需要修改配置才能撤销。"
NOTICE_REVOKED = "您的{role}权限已被管理员撤销。如有疑问，请联系管理员。"

ROLES_HEADER = "<b>生效中的授权（{count} 项）</b>"
ROLES_ITEM = "• <code>{user}</code> {role}{scope}\n　{when} 由 <code>{by}</code> 授权"
ROLES_NONE = "目前没有用命令授予的权限。"
ROLES_CONFIGURED = "配置文件（ADMIN_IDS）中的管理员：{ids}"
BY_CONFIG = "系统"

# ------------------------------------------------------------------ knowledge (handlers/admin_knowledge.py)

RELOAD_STARTED = "正在重建知识库索引……期间照常回答群众的问题，完成后告诉您结果。"
RELOAD_BUSY = "已在重建，请稍候。完成后会告诉您结果。"
RELOAD_DONE = "<b>知识库已重建</b>：政策文件 {documents} 份，段落 {passages} 段。"
RELOAD_FAILED = "<b>重建失败，仍在使用原来的知识库。</b>\n原因：{reason}"
PROBLEMS_HEADER = "<b>未能读取的文件</b>："
PROBLEM_ITEM = "• {name}：{reason}"
SELF_CHECK_HEADER = "<b>自检</b>："
SELF_CHECK_OK = "✅ {question} → 《{title}》"
SELF_CHECK_MISSED = "❌ {question}（没有答出来）"

DOCS_HEADER = "<b>知识库文件（{count} 份）</b>"
DOCS_ITEM = "<code>{id}</code>《{title}》\n　{region}{level} · {passages} 段 · {origin}"
DOCS_SHIPPED = "随程序发布"
DOCS_ADDED = "{when} 由 <code>{by}</code> 添加"
DOCS_UNREADABLE = "未能读取"
DOCS_FOOTER = "删除管理员添加的文件：/remove 编号（随程序发布的文件不能在这里删除）。"

REMOVE_USAGE = "用法：/remove 编号\n编号见 /docs，例如：/remove L001"
REMOVE_UNKNOWN = "没有编号为「{value}」的文件，请用 /docs 查看编号。"
REMOVE_SHIPPED = "{id}《{title}》是随程序发布的政策文件，不能在这里删除。"
REMOVING = "正在删除 {id}《{title}》并重建知识库……"
REMOVED = "<b>已删除</b> {id}《{title}》。"

DOC_UNSUPPORTED = (
    "不支持「{name}」这种文件。请发送 txt、docx、pdf 或 html 文件"
    "（旧版 Word 的 .doc 请先另存为 .docx）。文件未保存。"
)
DOC_TOO_LARGE = "文件太大（{size} MB），最大 {limit} MB。文件未保存。"
DOC_ASK_REGION = "《{name}》适用于哪个地区？请点选。\n新地区请重新发送文件，并在说明里写上地区和上级地区，例如：闽侯县 福州市 福建省"
DOC_UNKNOWN_REGION = (
    "知识库里没有「{region}」这个地区。已有的地区：{regions}\n"
    "如是新地区，请在文件说明里依次写上它的上级地区，例如：闽侯县 福州市 福建省。文件未保存。"
)
DOC_BAD_REGION = "地区名称「{region}」不对，请只写地区名（最多 {limit} 个字）。文件未保存。"
DOC_RECEIVED = "已收到《{name}》（{region}），正在检查文件并重建知识库……期间照常回答群众的问题。"
DOC_ADDED = "<b>已加入知识库</b>：<code>{id}</code>《{title}》（{region}），{passages} 段。"
DOC_REJECTED = "<b>未能加入《{name}》</b>：{reason}。\n文件没有保存，知识库保持不变。"
DOC_DOWNLOAD_FAILED = "下载文件失败，请稍后重新发送。"
DOC_CHOICE_EXPIRED = "这个选择已过期，请重新发送文件。"
DOC_CANCELLED = "已取消，文件未保存。"
BUTTON_CANCEL = "取消"
