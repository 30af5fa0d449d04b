"""The transaction editor's form: entries (one account, one or more category lines:
splits) and transfers, both ways between submitted text and the service schemas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal
from pydantic import ValidationError
from starlette.datastructures import FormData

from homeledger.accounts.models import Kind
from homeledger.accounts.schemas import AccountRead
from homeledger.kit.errors import InvalidInput
from homeledger.kit.money import to_minor
from homeledger.ledger.models import PostingStatus
from homeledger.ledger.pages.rows import BALANCE_SHEET, CATEGORIES, Labels
from homeledger.ledger.schemas import (
    MAX_DATE,
    MIN_DATE,
    PostingIn,
    TransactionCreate,
    TransactionRead,
    TransferCreate,
)
from homeledger.web.forms import Errors, friendly

Values = dict[str, object]


@dataclass
class Line:
    category: str = ""
    amount: str = ""
    memo: str = ""


@dataclass
class Entry:
    """A parsed entry: valid when `errors` is empty."""

    values: Values
    errors: Errors = field(default_factory=dict)
    date: dt.date | None = None
    account: AccountRead | None = None
    direction: str = "out"
    status: PostingStatus = PostingStatus.CLEARED
    lines: list[tuple[str | None, Decimal, str]] = field(default_factory=list)
    """(category id or None for Uncategorised, amount, memo)."""
    tags: list[str] = field(default_factory=list)

    @property
    def unsorted_kind(self) -> Kind:
        return Kind.EXPENSE if self.direction == "out" else Kind.INCOME


def blank(today: dt.date, account_id: str = "", kind: str = "entry") -> Values:
    return {
        "kind": kind,
        "date": today.isoformat(),
        "account_id": account_id,
        "payee": "",
        "memo": "",
        "tags": "",
        "status": "cleared",
        "direction": "out",
        "lines": [Line()],
        "from_account_id": account_id,
        "to_account_id": "",
        "amount": "",
        "to_amount": "",
    }


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _date(text: str, errors: Errors, name: str = "date") -> dt.date | None:
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = "Enter a date such as 2025-03-01." if text else "Fill this in."
        return None
    if not MIN_DATE <= value <= MAX_DATE:
        errors[name] = f"Use a date between {MIN_DATE.year} and {MAX_DATE.year}."
        return None
    return value


def amount(text: str, currency: str, locale: str, errors: Errors, name: str) -> Decimal | None:
    """The amount as typed in the household's format ('1,234.50' or '1.234,50')."""
    if not text:
        errors[name] = "Fill this in."
        return None
    try:
        value = Decimal(text) if _plain(text) else Decimal(parse_decimal(text, locale=locale))
        to_minor(value, currency, name)
    except (NumberFormatError, ArithmeticError, ValueError):
        errors[name] = "Enter an amount such as 12.50."
        return None
    except InvalidInput as error:
        errors[name] = error.detail.removeprefix(f"{name}: ").capitalize() + "."
        return None
    if abs(value) >= Decimal(10) ** 15:
        errors[name] = "That amount is too large."
        return None
    return value


def _plain(text: str) -> bool:
    body = text.removeprefix("-")
    return body.replace(".", "", 1).isdigit()


def _common(form: FormData, values: Values, errors: Errors) -> tuple[dt.date | None, list[str]]:
    for name in ("payee", "memo", "tags"):
        values[name] = _text(form, name)
    if len(str(values["payee"])) > 200:
        errors["payee"] = "Use at most 200 characters."
    if len(str(values["memo"])) > 500:
        errors["memo"] = "Use at most 500 characters."
    tags = list(dict.fromkeys(t.strip() for t in str(values["tags"]).split(",") if t.strip()))
    if any(len(t) > 60 for t in tags) or len(tags) > 50:
        errors["tags"] = "Up to 50 tags of at most 60 characters each."
    values["date"] = _text(form, "date")
    return _date(str(values["date"]), errors), tags


def parse_entry(
    form: FormData, accounts: dict[str, AccountRead], categories: dict[str, str], locale: str
) -> Entry:
    """`categories` maps a lower-cased path ('food:groceries') to its id."""
    values: Values = {"kind": "entry"}
    entry = Entry(values)
    errors = entry.errors
    entry.date, entry.tags = _common(form, values, errors)
    values["account_id"] = _text(form, "account_id")
    entry.account = accounts.get(str(values["account_id"]))
    if entry.account is None:
        errors["account_id"] = "Pick an account."
    entry.direction = values["direction"] = "in" if _text(form, "direction") == "in" else "out"
    status = _text(form, "status")
    entry.status = PostingStatus.PENDING if status == "pending" else PostingStatus.CLEARED
    values["status"] = entry.status.value
    currency = entry.account.currency if entry.account and entry.account.currency else "EUR"
    lines: list[Line] = []
    for index, (cat, amt, memo) in enumerate(
        zip(
            form.getlist("line_category"),
            form.getlist("line_amount"),
            form.getlist("line_memo"),
            strict=False,
        )
    ):
        line = Line(str(cat).strip(), str(amt).strip(), str(memo).strip())
        if not (line.category or line.amount or line.memo) and index > 0:
            continue  # an empty extra line is ignored
        lines.append(line)
        number = len(lines) - 1
        category_id = categories.get(line.category.casefold()) if line.category else None
        if line.category and category_id is None:
            errors[f"lines.{number}.category"] = (
                f"No category called '{line.category}'. Pick one from the list, or create it "
                "under Categories first."
            )
        value = amount(line.amount, currency, locale, errors, f"lines.{number}.amount")
        if len(line.memo) > 500:
            errors[f"lines.{number}.memo"] = "Use at most 500 characters."
        if value is not None:
            entry.lines.append((category_id, value, line.memo))
    values["lines"] = lines or [Line()]
    if not lines:
        errors["lines.0.amount"] = "Fill this in."
    return entry


def build_entry(entry: Entry, unsorted_id: str | None, payee: str, memo: str) -> TransactionCreate:
    assert entry.account is not None
    assert entry.account.currency is not None
    assert entry.date is not None
    sign = Decimal(1) if entry.direction == "out" else Decimal(-1)
    total = sum((value for _, value, _ in entry.lines), Decimal(0))
    currency = entry.account.currency
    postings = [
        PostingIn(
            account_id=entry.account.id,
            amount=str(-sign * total),
            currency=currency,
            status=entry.status,
        )
    ]
    for category_id, value, line_memo in entry.lines:
        target = category_id or unsorted_id
        assert target is not None
        postings.append(
            PostingIn(
                account_id=target, amount=str(sign * value), currency=currency, memo=line_memo
            )
        )
    return TransactionCreate(
        date=entry.date, payee=payee or None, memo=memo, postings=postings, tags=entry.tags
    )


def parse_transfer(
    form: FormData, accounts: dict[str, AccountRead], locale: str
) -> tuple[TransferCreate | None, Values, Errors]:
    values: Values = {"kind": "transfer"}
    errors: Errors = {}
    day, tags = _common(form, values, errors)
    for name in ("from_account_id", "to_account_id", "amount", "to_amount"):
        values[name] = _text(form, name)
    source = accounts.get(str(values["from_account_id"]))
    target = accounts.get(str(values["to_account_id"]))
    if source is None:
        errors["from_account_id"] = "Pick the account the money leaves."
    if target is None:
        errors["to_account_id"] = "Pick the account the money goes to."
    if source and target and source.id == target.id:
        errors["to_account_id"] = "Pick a different account from the first."
    sent = amount(
        str(values["amount"]),
        source.currency if source and source.currency else "EUR",
        locale,
        errors,
        "amount",
    )
    if sent is not None and sent <= 0:
        errors["amount"] = "Enter a positive amount."
    received = None
    if source and target and source.currency != target.currency:
        assert target.currency is not None
        received = amount(str(values["to_amount"]), target.currency, locale, errors, "to_amount")
        if received is not None and received <= 0:
            errors["to_amount"] = "Enter a positive amount."
    if errors or day is None or sent is None or source is None or target is None:
        return None, values, errors
    try:
        data = TransferCreate(
            date=day,
            from_account_id=source.id,
            to_account_id=target.id,
            amount=str(sent),
            to_amount=str(received) if received is not None else None,
            payee=str(values["payee"]) or None,
            memo=str(values["memo"]),
            tags=tags,
        )
    except ValidationError as error:
        first = error.errors()[0]
        return None, values, {str(first["loc"][0]) if first["loc"] else "__all__": friendly(first)}
    return data, values, errors


def from_transaction(txn: TransactionRead, labels: Labels, paths: dict[str, str]) -> Values | None:
    """The editor's values for a transaction, or None when the web editor cannot show its
    shape (a journal entry that is neither an entry with splits nor a transfer)."""

    def kind(account_id: str) -> Kind:
        return labels.get(account_id, ("", Kind.EQUITY))[1]

    sheet = [p for p in txn.postings if kind(p.account_id) in BALANCE_SHEET]
    cats = [p for p in txn.postings if kind(p.account_id) in CATEGORIES]
    others = [p for p in txn.postings if kind(p.account_id) not in BALANCE_SHEET]
    common: Values = {
        "date": txn.date.isoformat(),
        "payee": txn.payee or "",
        "memo": txn.memo,
        "tags": ", ".join(txn.tags),
        "version": txn.version,
    }
    if len(sheet) == 1 and others:  # spending, income, splits, an opening balance
        head = sheet[0]
        out = Decimal(head.amount) <= 0
        sign = Decimal(1) if out else Decimal(-1)
        lines = [
            Line(paths.get(p.account_id, ""), str(sign * Decimal(p.amount)), p.memo) for p in cats
        ]
        return {
            **common,
            "kind": "entry",
            "account_id": head.account_id,
            "direction": "out" if out else "in",
            "status": "pending" if head.status is PostingStatus.PENDING else "cleared",
            "lines": lines,
        }
    if len(sheet) == 2 and not cats:
        source, target = sorted(sheet, key=lambda p: Decimal(p.amount))
        if Decimal(source.amount) >= 0:
            return None
        cross = source.currency != target.currency
        return {
            **common,
            "kind": "transfer",
            "from_account_id": source.account_id,
            "to_account_id": target.account_id,
            "amount": str(-Decimal(source.amount)),
            "to_amount": target.amount if cross else "",
            "lines": [Line()],
        }
    return None
