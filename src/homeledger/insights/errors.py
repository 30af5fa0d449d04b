"""Insight errors, each with its HTTP status."""

from __future__ import annotations

from homeledger.kit.errors import DomainError, NotFound


class NoModel(NotFound):
    type = "no-categoriser"
    title = "No categoriser yet"


class NotEnoughHistory(DomainError):
    """Too few categorised transactions to learn from."""

    status_code = 422
    type = "not-enough-history"
    title = "Not enough categorised history"


class InsightNotFound(NotFound):
    type = "insight-not-found"
    title = "No such insight"
