"""Dedupe and transfer matching of imported rows. Pure: plain data in, decisions with
reasons out; the pipeline feeds it the few candidates its indexed lookups found.

Order of evidence, strongest first:

1. the bank's own id (FITID and the like) seen before in this account;
2. the content fingerprint (date, amount, currency, payee and memo as the bank wrote
   them) with an occurrence index: a file with two identical coffees keeps both, and
   the same file twice adds nothing;
3. fuzzy: an existing transaction of the account not made by an import (a manual
   entry, the far side of a transfer) or a pending one now booked, with the same
   amount, a date within `FUZZY_DAYS` and a similar payee (the far side of a
   transfer from another own account needs no payee: banks word them differently).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from homeledger.rules.payees import comparable, similarity

FUZZY_DAYS = 3
TRANSFER_DAYS = 4
MIN_PAYEE_SIMILARITY = 0.6


def fingerprint(day: dt.date, amount_minor: int, currency: str, raw_payee: str, memo: str) -> int:
    """A signed 64-bit hash of what the bank wrote; equal for the same row re-exported
    with other spacing or letter case."""
    text = f"{day.isoformat()}|{amount_minor}|{currency}|{comparable(raw_payee)}|{comparable(memo)}"
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A posting already in the ledger that an imported row might be."""

    transaction_id: str
    posting_id: str
    account_id: str
    date: dt.date
    amount_minor: int
    payee: str
    memo: str
    pending: bool
    description: str
    """How the preview names it: 'manual entry', 'transaction', 'transfer with
    Savings'."""
    transfer: bool = False
    """A pending far side of a transfer (made by a rule or a transfer row of another
    own account): amount and date suffice, as banks word transfers differently."""


@dataclass(frozen=True, slots=True)
class Found:
    candidate: Candidate
    reason: str


def _days(a: dt.date, b: dt.date) -> int:
    return abs((a - b).days)


def _apart(days: int) -> str:
    if days == 0:
        return "same day"
    return "1 day apart" if days == 1 else f"{days} days apart"


def fuzzy_match(
    day: dt.date,
    amount_minor: int,
    payee_texts: Iterable[str],
    pending: bool,
    candidates: Iterable[Candidate],
    claimed: set[str],
) -> Found | None:
    """The existing entry this row most probably is: same amount, date within
    FUZZY_DAYS, payee alike (or the same day when the entry has no payee)."""
    texts = [t for t in payee_texts if t]
    best: tuple[float, Candidate, float] | None = None
    for c in candidates:
        if c.transaction_id in claimed or c.amount_minor != amount_minor:
            continue
        days = _days(c.date, day)
        if days > FUZZY_DAYS or (c.pending and pending):
            continue
        alike = max(
            (similarity(t, other) for t in texts for other in (c.payee, c.memo) if other),
            default=0.0,
        )
        if alike < MIN_PAYEE_SIMILARITY and not (days == 0 and not c.payee) and not c.transfer:
            continue
        score = alike - 0.05 * days
        if best is None or score > best[0]:
            best = (score, c, alike)
    if best is None:
        return None
    _, c, alike = best
    days = _days(c.date, day)
    payee = f"payee {round(alike * 100)}% alike" if c.payee else "no payee on the entry"
    if c.pending and not pending:
        reason = f"the pending {c.description} of {c.date} is now booked: same amount, {payee}"
    else:
        reason = f"probably the {c.description} of {c.date}: same amount, {_apart(days)}, {payee}"
    return Found(c, reason)


def transfer_match(
    day: dt.date,
    amount_minor: int,
    payee_texts: Iterable[str],
    candidates: Iterable[Candidate],
    claimed: set[str],
    account_names: dict[str, str],
) -> Found | None:
    """The far side of a transfer: the same amount the other way in another own
    account, within TRANSFER_DAYS, still uncategorised. Nearest date wins, then the
    more alike payee."""
    texts = [t for t in payee_texts if t]
    best: tuple[tuple[int, float], Candidate] | None = None
    for c in candidates:
        if c.transaction_id in claimed or c.amount_minor != -amount_minor:
            continue
        days = _days(c.date, day)
        if days > TRANSFER_DAYS:
            continue
        alike = max((similarity(t, c.payee) for t in texts if c.payee), default=0.0)
        key = (days, -alike)
        if best is None or key < best[0]:
            best = (key, c)
    if best is None:
        return None
    c = best[1]
    where = account_names.get(c.account_id, "another account")
    return Found(c, f"other side of the transfer of {c.date} in {where}")
