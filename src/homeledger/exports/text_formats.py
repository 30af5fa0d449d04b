"""Beancount, QIF and CSV text from the household's transactions. Each writer takes
plain inputs (accounts by id, transactions as the API reads them) and writes to a text
stream, so a million transactions never sit in memory."""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO

from homeledger.accounts.models import AccountType, Kind
from homeledger.ledger.models import PostingStatus
from homeledger.ledger.schemas import TransactionRead

SHEET = (Kind.ASSET.value, Kind.LIABILITY.value)


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: str
    path: str
    """'Food:Groceries' for categories, the name for others."""
    kind: str
    type: str
    currency: str | None


# Beancount

_ROOTS = {
    Kind.ASSET.value: "Assets",
    Kind.LIABILITY.value: "Liabilities",
    Kind.INCOME.value: "Income",
    Kind.EXPENSE.value: "Expenses",
    Kind.EQUITY.value: "Equity",
}


def _component(text: str) -> str:
    """A beancount account component: starts with a capital letter or digit, then
    letters, digits and dashes."""
    cleaned = "".join(ch if ch.isalnum() else "-" for ch in unicodedata.normalize("NFC", text))
    cleaned = re.sub(r"-+", "-", cleaned).strip("-")
    if not cleaned:
        return "X"
    first = cleaned[0].upper()
    if not (first.isdigit() or (first.isalpha() and first.isupper() and len(first) == 1)):
        return "X" + cleaned
    return first + cleaned[1:]


def beancount_names(accounts: Iterable[AccountInfo]) -> dict[str, str]:
    """Account id -> a unique beancount account name ('Expenses:Food:Groceries')."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for account in sorted(accounts, key=lambda a: (a.kind, a.path, a.id)):
        base = ":".join(
            [_ROOTS[account.kind], *(_component(part) for part in account.path.split(":"))]
        )
        name, number = base, 2
        while name in used:
            name, number = f"{base}-{number}", number + 1
        used.add(name)
        names[account.id] = name
    return names


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _tag(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9\-_/.]", "-", name) or "tag"


def write_beancount(
    out: IO[str],
    title: str,
    currency: str,
    accounts: Mapping[str, AccountInfo],
    transactions: Iterable[TransactionRead],
    opened: dt.date,
    balances: Iterable[tuple[str, dt.date, str, str]] = (),
) -> None:
    """`balances` are (account id, day, amount, currency) closing balances of finished
    reconciliations: written as balance assertions that beancount checks."""
    names = beancount_names(accounts.values())
    out.write(f'option "title" {_quoted(title)}\noption "operating_currency" "{currency}"\n\n')
    for account_id, name in sorted(names.items(), key=lambda kv: kv[1]):
        held = accounts[account_id].currency
        out.write(f"{opened.isoformat()} open {name}{' ' + held if held else ''}\n")
    out.write("\n")
    for txn in transactions:
        sheet = [p for p in txn.postings if accounts[p.account_id].kind in SHEET]
        flag = "!" if any(p.status is PostingStatus.PENDING for p in sheet) else "*"
        tags = "".join(f" #{_tag(t)}" for t in txn.tags)
        out.write(
            f"{txn.date.isoformat()} {flag} {_quoted(txn.payee or '')} {_quoted(txn.memo)}{tags}\n"
        )
        out.write(f"  homeledger-id: {_quoted(txn.id)}\n")
        for p in txn.postings:
            out.write(f"  {names[p.account_id]}  {p.amount} {p.currency}\n")
            if p.memo:
                out.write(f"    memo: {_quoted(p.memo)}\n")
        out.write("\n")
    for account_id, day, amount, held in balances:
        # A beancount balance holds at the start of its day: the day after the statement.
        after = day + dt.timedelta(days=1)
        out.write(f"{after.isoformat()} balance {names[account_id]}  {amount} {held}\n")


# QIF

_QIF_TYPES = {
    AccountType.CHECKING.value: "Bank",
    AccountType.SAVINGS.value: "Bank",
    AccountType.CASH.value: "Cash",
    AccountType.CREDIT_CARD.value: "CCard",
    AccountType.LOAN.value: "Oth L",
    AccountType.INVESTMENT.value: "Oth A",
}


def _qif_target(info: AccountInfo) -> str:
    return f"[{info.path}]" if info.kind in SHEET else info.path


def write_qif(
    out: IO[str],
    accounts: Mapping[str, AccountInfo],
    transactions_of: Mapping[str, list[TransactionRead]],
) -> None:
    """One `!Account` block per balance-sheet account with its transactions; a
    transfer shows in both accounts with `L[Other account]`, as Quicken writes it."""
    for account_id, transactions in transactions_of.items():
        info = accounts[account_id]
        kind = _QIF_TYPES.get(info.type, "Bank")
        out.write(f"!Account\nN{info.path}\nT{kind}\n^\n!Type:{kind}\n")
        for txn in sorted(transactions, key=lambda t: (t.date, t.id)):
            own = [p for p in txn.postings if p.account_id == account_id]
            others = [p for p in txn.postings if p.account_id != account_id]
            for posting in own:
                out.write(f"D{txn.date:%m/%d/%Y}\nT{posting.amount}\n")
                if posting.status is PostingStatus.RECONCILED:
                    out.write("CX\n")
                elif posting.status is PostingStatus.CLEARED:
                    out.write("C*\n")
                if txn.payee:
                    out.write(f"P{txn.payee}\n")
                if txn.memo:
                    out.write(f"M{txn.memo}\n")
                if len(others) == 1:
                    out.write(f"L{_qif_target(accounts[others[0].account_id])}\n")
                else:
                    for other in others:
                        amount = (
                            other.amount[1:] if other.amount.startswith("-") else f"-{other.amount}"
                        )
                        out.write(f"S{_qif_target(accounts[other.account_id])}\n${amount}\n")
                        if other.memo:
                            out.write(f"E{other.memo}\n")
                out.write("^\n")


# CSV

CSV_HEADER = (
    "date",
    "account",
    "payee",
    "memo",
    "category",
    "amount",
    "currency",
    "status",
    "tags",
    "transaction_id",
)


def write_csv(
    out: IO[str],
    accounts: Mapping[str, AccountInfo],
    transactions: Iterable[TransactionRead],
    only_accounts: set[str] | None = None,
) -> None:
    """One row per transaction and balance-sheet account it touches; `category` names
    the other side (categories joined by ' | ', '[Account]' for a transfer)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for txn in transactions:
        for posting in txn.postings:
            info = accounts[posting.account_id]
            if info.kind not in SHEET:
                continue
            if only_accounts and posting.account_id not in only_accounts:
                continue
            others = [p for p in txn.postings if p.id != posting.id]
            writer.writerow(
                (
                    txn.date.isoformat(),
                    info.path,
                    txn.payee or "",
                    txn.memo,
                    " | ".join(_qif_target(accounts[p.account_id]) for p in others),
                    posting.amount,
                    posting.currency,
                    posting.status.value,
                    " ".join(txn.tags),
                    txn.id,
                )
            )
