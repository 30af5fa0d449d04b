"""Errors of schedules."""

from homeledger.kit.errors import Conflict


class OccurrenceDone(Conflict):
    type = "occurrence-done"
    title = "Occurrence already handled"
