"""Logs never hold passwords or link tokens: every log record of the process (ours, Flask's,
werkzeug's and gunicorn's access lines, Celery's) is redacted when it is created.

Redacted: the secret part of the mailed links (`/compte/…/<token>`), and `password`,
`token`, `csrf_token`, `secret` values in query strings or form-like text. Health data are
simply never logged by the portal (tests/resilience/test_logs.py checks a whole journey).
"""

from __future__ import annotations

import logging
import re

MASK = "***"
_PATTERNS = (
    # /compte/mot-de-passe/<token>, and any other link under /compte/ ending in a token
    (re.compile(r"(/compte/(?:[\w\-]+/)+)[A-Za-z0-9_\-]{20,}"), rf"\1{MASK}"),
    (re.compile(r"((?:password|passwd|token|csrf_token|secret)=)[^&\s\"']+", re.I),
     rf"\1{MASK}"),
)
_installed = False


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def install() -> None:
    """Wrap the log record factory once per process."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it to logging's own error report
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
