"""Why a policy file could not be read, in the words an admin reads.

`knowledge.readers` (and `ingest`, `library`) refuse a file with an English reason; the bot's
admin commands and the web console both show it through `read_problem`, so one unreadable file
is explained the same way in Telegram and in the browser.
"""

# By how the reason starts; a longer start stands before a shorter one it begins with.
READ_PROBLEMS = (
    ("unsupported file type", "不支持这种文件类型"),
    ("no text in file", "文件里没有文字"),
    ("no policy text found", "没有找到政策正文"),
    ("cannot read: encrypted PDF", "PDF 文件加了密"),
    ("cannot read: not UTF-8", "文字编码无法识别"),
    ("cannot read: [Errno 2]", "文件不见了"),
    ("cannot read", "文件损坏或无法读取"),
    ("corrupt", "文件损坏或格式不对"),
    ("too large", "文件内容太大（解压后或页数、字数超过上限）"),
    ("too slow", "文件太复杂，读取超时"),
)
READ_PROBLEM_OTHER = "无法读取"


def read_problem(reason: str) -> str:
    """The readers' English reason in words an admin reads."""
    return next(
        (said for start, said in READ_PROBLEMS if reason.startswith(start)), READ_PROBLEM_OTHER
    )
