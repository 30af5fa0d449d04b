"""What every report shares: the period, the base currency, the rates used, the
category tree, and figures that carry the filter listing their transactions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from homeledger.accounts import calc as tree
from homeledger.accounts.models import Account, Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.fx.service import HouseholdRates, base_currency, household_rates
from homeledger.kit.errors import InvalidInput
from homeledger.kit.money import exponent, to_minor
from homeledger.kit.tenancy import Ctx
from homeledger.reports.schemas import Drill, Figure

ONE_DAY = dt.timedelta(days=1)
MAX_DAYS = 366 * 30


@dataclass
class Scope:
    session: Session
    ctx: Ctx
    start: dt.date
    end: dt.date
    """Inclusive, like the ledger's date_to."""
    base: str
    rates: HouseholdRates

    @property
    def after(self) -> dt.date:
        """The first day after the report (the half-open end)."""
        return self.end + ONE_DAY

    def money(self, minor: int) -> str:
        """`kit.money.format_plain`, in integer arithmetic (a report formats thousands)."""
        places = exponent(self.base)
        if places == 0:
            return str(minor)
        whole, fraction = divmod(abs(minor), 10**places)
        return f"{'-' if minor < 0 else ''}{whole}.{fraction:0{places}d}"

    def minor(self, text: str) -> int:
        """A figure's text back in minor units."""
        return to_minor(Decimal(text), self.base)

    def figure(self, minor: int, **drill: Any) -> Figure:
        """An amount with the filter (and URL) that lists its transactions; the dates
        default to the report's."""
        values: dict[str, Any] = {"date_from": self.start, "date_to": self.end} | drill
        params = "&".join(f"{k}={_param(v)}" for k, v in values.items() if v is not None)
        href = f"/api/v1/households/{self.ctx.household_id}/reports/transactions?{params}"
        # Built from checked values: skipping validation keeps a 1,000-figure report fast.
        filters = Drill.model_construct(**values, href=href)
        return Figure.model_construct(amount=self.money(minor), filter=filters)

    def meta(self, report: str, title: str) -> dict[str, object]:
        return {
            "report": report,
            "title": title,
            "currency": self.base,
            "date_from": self.start,
            "date_to": self.end,
            "rates": self.rates.used(),
        }


_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def _param(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if _PLAIN.issuperset(text) else quote(text, safe="")


def make_scope(session: Session, ctx: Ctx, start: dt.date, end: dt.date) -> Scope:
    if end < start:
        raise InvalidInput("date_to", "must not be before date_from")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput("date_to", "a report covers at most 30 years")
    base = base_currency(session, ctx)
    return Scope(session, ctx, start, end, base, household_rates(session, ctx, base))


def share(part: int, whole: int) -> str:
    """Percent with one decimal, half-even; 0.0 of nothing."""
    if whole == 0:
        return "0.0"
    percent = Decimal(part * 100) / Decimal(whole)
    return str(percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))


@dataclass
class Categories:
    """The income or expense categories as a tree."""

    accounts: dict[str, Account]
    paths: dict[str, str]
    children: dict[str | None, list[str]] = field(default_factory=dict)

    def rolled(self, own: dict[str, int]) -> dict[str, int]:
        """Each category's amount with every subcategory's."""
        total: dict[str, int] = defaultdict(int)
        for category_id, amount in own.items():
            node: str | None = category_id
            while node is not None and node in self.accounts:
                total[node] += amount
                node = self.accounts[node].parent_id
        return dict(total)

    def top(self, category_id: str) -> str:
        node = self.accounts[category_id]
        while node.parent_id is not None and node.parent_id in self.accounts:
            node = self.accounts[node.parent_id]
        return node.id


def categories(session: Session, ctx: Ctx, kind: Kind) -> Categories:
    accounts = {a.id: a for a in AccountRepository(session).of_kinds(ctx, {kind})}
    nodes = [tree.Node(a.id, a.name, a.parent_id) for a in accounts.values()]
    children: dict[str | None, list[str]] = defaultdict(list)
    for account in accounts.values():
        parent = account.parent_id if account.parent_id in accounts else None
        children[parent].append(account.id)
    return Categories(accounts, tree.paths(nodes), dict(children))


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """Boundaries of the calendar months in ``[start, end]``: ``start``, every 1st after
    it, and the day after ``end``; the first and last buckets may be part-months."""
    edges = [start]
    year, month = start.year, start.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        first = dt.date(year, month, 1)
        if first > end:
            break
        edges.append(first)
    edges.append(end + ONE_DAY)
    return edges
