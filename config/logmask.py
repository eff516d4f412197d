"""No full ID number in any log line: a logging filter and a gunicorn logger class.

Masks 18-character resident ID numbers (17 digits + digit/X) and the old 15-digit ones wherever they
appear in a formatted message — request lines, query strings, tracebacks, SQL — keeping the first 6
and last 4 characters (the masked form shown on the pages): 350102********1234.
"""

from __future__ import annotations

import logging
import re

# Not part of a longer digit run: a 20-digit bank account is not cut into an "ID number".
ID_PATTERN = re.compile(r"(?<!\d)(\d{6})(\d{8})(\d{3}[\dXx])(?![\dXx])|(?<!\d)(\d{6})(\d{5})(\d{4})(?!\d)")


def _mask(match: re.Match) -> str:
    if match.group(1):
        return match.group(1) + "*" * 8 + match.group(3)[-4:].rjust(4, "*")
    return match.group(4) + "*" * 5 + match.group(6)


def mask_ids(text: str) -> str:
    return ID_PATTERN.sub(_mask, text)


class MaskIdNumbersFilter(logging.Filter):
    """Attach to every handler: rewrites the record's message with ID numbers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave the record for the handler's own error path
            return True
        masked = mask_ids(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_ids(record.exc_text)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True
