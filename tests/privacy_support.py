"""The personal data the test fixtures use, and a check that a log record carries none of it."""

from __future__ import annotations

import logging
import re

# Names, phones and ID numbers typed or filed by the test suites' residents.
FIXTURE_NAMES = ("张大山", "林秀英", "张三")
FIXTURE_NUMBERS = (
    "13812345678",
    "13999887766",
    "13800138000",
    "350124197001011234",
    "350124198805061234",
    "35012419880506123",
    "350124199001011234",
)
_FORMATTER = logging.Formatter()


def record_text(record: logging.LogRecord) -> str:
    """Everything a log handler could write for `record`: message, traceback and stack."""
    parts = [record.getMessage()]
    if record.exc_info:
        parts.append(_FORMATTER.formatException(record.exc_info))
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


def leaked_personal_data(record: logging.LogRecord) -> list[str]:
    """The fixture names and numbers in `record` (numbers found however they are spaced)."""
    text = record_text(record)
    digits = re.sub(r"[\s\-.()，,]", "", text)
    return [name for name in FIXTURE_NAMES if name in text] + [
        n for n in FIXTURE_NUMBERS if n in digits
    ]
