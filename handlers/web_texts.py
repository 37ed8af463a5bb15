"""What /web says: the one-time sign-in link to the staff web console (Telegram HTML)."""

WEB_LINK = (
    "<b>工作台登录链接</b>\n"
    "{link}\n"
    "在电脑或手机浏览器中打开，{minutes} 分钟内有效，只能用一次。请不要转发给别人。"
)
WEB_NO_ROLE = "工作台只对工作人员、督办和管理员开放。需要开通权限，请把 /myid 显示的ID发给管理员。"
WEB_STORAGE_DOWN = "抱歉，数据库暂时连不上，请稍后再发送 /web。"
HELP_WEB = "<b>工作台</b>\n/web 获取网页工作台的登录链接（电脑上看工单列表、统计更方便）"
