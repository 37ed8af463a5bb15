"""Why a rebuild failed, in the words an admin reads in Telegram and in the web console alike
(each front end says around it that the old knowledge base is still in use)."""

FAILURE_NO_DOCUMENTS = "没有一份能读取的政策文件"
FAILURE_DISK_FULL = "服务器磁盘空间不足，新的索引写不下。请联系技术维护人员清理磁盘后再试"
FAILURE_DISK_DENIED = "服务器不允许写入知识库的文件夹。请联系技术维护人员检查权限后再试"
FAILURE_DISK = "服务器读写文件出错。请联系技术维护人员，稍后再试"
FAILURE_OTHER = "程序出错，详情已记入运行日志。请联系技术维护人员"
