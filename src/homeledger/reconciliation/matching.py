"""Matching statement lines to ledger postings. Pure: plain data in, pairs with reasons
out. A line and a posting match when the amounts are equal and the dates at most
`WINDOW_DAYS` apart; among several, the nearest date wins, then the more alike payee."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from homeledger.rules.payees import similarity

WINDOW_DAYS = 3
ALIKE = 0.6
"""Payees this alike are worth naming in the reason."""


@dataclass(frozen=True, slots=True)
class Line:
    id: str
    date: dt.date
    amount_minor: int
    payee: str


@dataclass(frozen=True, slots=True)
class Entry:
    posting_id: str
    date: dt.date
    amount_minor: int
    payee: str


@dataclass(frozen=True, slots=True)
class Pair:
    line_id: str
    posting_id: str
    reason: str


def auto_match(
    lines: Iterable[Line], entries: Iterable[Entry], window: int = WINDOW_DAYS
) -> list[Pair]:
    """Each line to at most one entry and each entry to at most one line."""
    free = list(entries)
    pairs = []
    for line in sorted(lines, key=lambda item: (item.date, item.id)):
        best: tuple[tuple[int, float], Entry] | None = None
        for entry in free:
            days = abs((entry.date - line.date).days)
            if entry.amount_minor != line.amount_minor or days > window:
                continue
            alike = similarity(line.payee, entry.payee) if line.payee and entry.payee else 0.0
            key = (days, -alike)
            if best is None or key < best[0]:
                best = (key, entry)
        if best is None:
            continue
        (days, negative_alike), entry = best
        free.remove(entry)
        when = "same day" if days == 0 else f"{days} day{'s' if days > 1 else ''} apart"
        alike = -negative_alike
        payee = f", payee {round(alike * 100)}% alike" if alike >= ALIKE else ""
        pairs.append(Pair(line.id, entry.posting_id, f"same amount, {when}{payee}"))
    return pairs
