"""`homeledger check`: recomputes every invariant of the ledger from the raw rows and
reports each difference. An empty report means the books are sound."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from homeledger.accounts.models import Account
from homeledger.kit.money import format_plain, known_currencies
from homeledger.ledger.models import AccountDayTotal, Posting, Transaction


@dataclass(frozen=True)
class Finding:
    check: str
    subject: str
    detail: str


def unbalanced_transactions(session: Session) -> list[Finding]:
    query = (
        select(Posting.transaction_id, Posting.currency, func.sum(Posting.amount_minor))
        .group_by(Posting.transaction_id, Posting.currency)
        .having(func.sum(Posting.amount_minor) != 0)
    )
    return [
        Finding("balanced", txn, f"postings in {cur} sum to {format_plain(int(total), cur)}")
        for txn, cur, total in session.execute(query)
    ]


def too_few_postings(session: Session) -> list[Finding]:
    counts = (
        select(Transaction.id, func.count(Posting.id))
        .outerjoin(Posting, Posting.transaction_id == Transaction.id)
        .group_by(Transaction.id)
        .having(func.count(Posting.id) < 2)
    )
    return [
        Finding("postings", t, f"has {n} posting(s); needs 2 or more")
        for t, n in session.execute(counts)
    ]


def household_mismatches(session: Session) -> list[Finding]:
    """A posting, its transaction and its account must all belong to one household."""
    account = aliased(Account)
    query = (
        select(Posting.id, Posting.household_id, Transaction.household_id, account.household_id)
        .join(Transaction, Transaction.id == Posting.transaction_id)
        .join(account, account.id == Posting.account_id)
        .where(
            (Posting.household_id != Transaction.household_id)
            | (Posting.household_id != account.household_id)
        )
    )
    return [
        Finding("tenancy", p, f"posting {ph}, transaction {th}, account {ah}")
        for p, ph, th, ah in session.execute(query)
    ]


def date_mismatches(session: Session) -> list[Finding]:
    query = (
        select(Posting.id, Posting.date, Transaction.date)
        .join(Transaction, Transaction.id == Posting.transaction_id)
        .where(Posting.date != Transaction.date)
    )
    return [
        Finding("dates", p, f"posting dated {pd}, transaction {td}")
        for p, pd, td in session.execute(query)
    ]


def currency_mismatches(session: Session) -> list[Finding]:
    query = (
        select(Posting.id, Posting.currency, Account.currency, Account.name)
        .join(Account, Account.id == Posting.account_id)
        .where(Account.currency.is_not(None), Posting.currency != Account.currency)
    )
    findings = [
        Finding("currency", p, f"posting in {pc} on '{name}' which holds {ac}")
        for p, pc, ac, name in session.execute(query)
    ]
    used = session.scalars(select(Posting.currency).distinct())
    findings += [
        Finding("currency", c, "not an ISO 4217 code") for c in used if c not in known_currencies()
    ]
    return findings


def category_cycles(session: Session) -> list[Finding]:
    rows = session.execute(select(Account.id, Account.parent_id)).all()
    parents: dict[str, str | None] = {row.id: row.parent_id for row in rows}
    findings = []
    for start in parents:
        seen, node = set(), parents.get(start)
        while node is not None:
            if node == start or node in seen:
                findings.append(Finding("categories", start, "its parents form a cycle"))
                break
            seen.add(node)
            node = parents.get(node)
    return findings


def day_totals_match(session: Session) -> list[Finding]:
    """The materialised day totals equal the postings they summarise."""
    recomputed = {
        (a, c, d): int(s)
        for a, c, d, s in session.execute(
            select(
                Posting.account_id, Posting.currency, Posting.date, func.sum(Posting.amount_minor)
            ).group_by(Posting.account_id, Posting.currency, Posting.date)
        )
    }
    stored = {
        (t.account_id, t.currency, t.date): t.amount_minor
        for t in session.scalars(select(AccountDayTotal))
    }
    findings = []
    for key in sorted(set(recomputed) | set(stored)):
        want, have = recomputed.get(key, 0), stored.get(key, 0)
        if want != have:
            account, currency, day = key
            findings.append(
                Finding(
                    "day-totals",
                    account,
                    f"{day} {currency}: stored {format_plain(have, currency)}, "
                    f"postings sum to {format_plain(want, currency)}",
                )
            )
    return findings


CHECKS = (
    unbalanced_transactions,
    too_few_postings,
    household_mismatches,
    date_mismatches,
    currency_mismatches,
    category_cycles,
    day_totals_match,
)


def run_checks(session: Session) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(session)]
