"""Structured logs (structlog): JSON lines with a request id, and nothing secret.

The redaction processor is the one place that keeps tokens, passwords and account
numbers out of log lines, whatever a caller passes."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SECRET_KEYS = re.compile(r"pass(word)?|secret|token|authorization|cookie|account_number|iban", re.I)
# Bearer tokens and long digit runs (card and account numbers) inside free text.
SECRET_VALUES = re.compile(r"(Bearer\s+)[\w\-.~+/=]+|\b(hl[prai])_[\w\-]+|\b\d{9,}\b")


def _mask_text(text: str) -> str:
    return SECRET_VALUES.sub(
        lambda m: (m.group(1) or "") + "[redacted]" if m.group(1) else "[redacted]", text
    )


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event.items()):
        if SECRET_KEYS.search(key):
            event[key] = "[redacted]"
        elif isinstance(value, str):
            event[key] = _mask_text(value)
    return event


def configure(level: str = "INFO", json: bool = True) -> None:
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
