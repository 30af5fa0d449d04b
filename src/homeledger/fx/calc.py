"""Currency conversion of integer minor units at `Decimal` rates.

The model
---------
A `Rate` says how many units of ``quote`` one unit of ``base`` buys, in major units
(``Rate("EUR", "USD", Decimal("1.0956"), ...)``: 1 EUR = 1.0956 USD), and the day it
applies from (``as_of``). Rates are `Decimal` and never rounded on input.

Rounding
--------
Converting ``amount_minor`` of ``source`` into ``target`` computes, exactly,

    amount_minor * 10**-exp(source) * rate * 10**exp(target)

(the Decimal context is widened to hold every digit of the product, so nothing is
rounded on the way) and rounds **once**, to a whole minor unit of the target
currency, with ``ROUND_HALF_EVEN`` (banker's rounding: halves go to the even
neighbour, so a long series of conversions has no upward bias). Exponents are the
ISO 4217 minor units from `homeledger.kit.currencies` (JPY 0, EUR 2, BHD 3, CLF 4).
Each amount is converted on its own; a total in another currency is the sum of the
converted amounts, so reports show figures that add up to what is displayed.

A converted amount is therefore within half a target minor unit of the exact value.
Converting back with the inverse rate returns the original amount within one source
minor unit whenever the target's minor unit is worth no more than the source's
(EUR -> USD, USD -> JPY); when the target is coarser (JPY -> EUR at rate 0.006, a
cent is worth ~1.6 yen) the round trip can only be as precise as the coarser unit.

Derived rates (`inverse`, `cross_rate`) cannot always be exact (1 / 3), so they are
rounded to `RATE_SIGNIFICANT_DIGITS` significant digits, far below any amount a
household holds: the effect on a converted amount is below 10**-10 minor units.

Finding a rate
--------------
`find_rate` asks one or more `RateSource` objects (user-entered rates, the ECB
history in `homeledger.fx.ecb`, ...) for the latest rate dated **on or before** the
day. Among the answers the most recent one wins, and on the same day the earlier
source in the list wins, so user-entered rates listed first override the ECB for the
days they cover without hiding fresher market data behind an old override.
``RatePrecedence.SOURCE_ORDER`` makes the first source that answers win outright
(useful for "always use my fixed rate"). With no direct rate, a ``pivot`` currency
(e.g. the household's base) can bridge: USD -> PLN = USD -> EUR -> PLN.
"""

from __future__ import annotations

import bisect
import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Protocol

from homeledger.kit.currencies import minor_unit_exponent

RATE_SIGNIFICANT_DIGITS = 28
"""Significant digits kept when a rate is derived (inverse, cross) rather than given."""

_RATE_CONTEXT = Context(prec=RATE_SIGNIFICANT_DIGITS, rounding=ROUND_HALF_EVEN)


class RateNotFoundError(LookupError):
    """No source has a rate for the pair on or before the date."""

    def __init__(self, base: str, quote: str, on: date) -> None:
        super().__init__(f"no {base}/{quote} rate on or before {on.isoformat()}")
        self.base = base
        self.quote = quote
        self.on = on


@dataclass(frozen=True, slots=True)
class Rate:
    """1 unit of ``base`` = ``value`` units of ``quote``, applying from ``as_of``."""

    base: str
    quote: str
    value: Decimal
    as_of: date
    source: str = "user"
    """Where the rate came from ("user", "ECB", "ECB+user" for a cross, ...)."""

    def __post_init__(self) -> None:
        minor_unit_exponent(self.base)
        minor_unit_exponent(self.quote)
        if not isinstance(self.value, Decimal):
            # A float would carry binary noise (1.1 is 1.100000000000000088...).
            raise TypeError("a rate value must be a Decimal")
        if not self.value.is_finite() or self.value <= 0:
            raise ValueError(f"a rate must be a positive finite number, not {self.value}")
        if self.base == self.quote and self.value != 1:
            raise ValueError(f"a {self.base}/{self.quote} rate must be 1")

    def convert(self, amount_minor: int, *, rounding: str = ROUND_HALF_EVEN) -> int:
        """``amount_minor`` of ``base`` in minor units of ``quote``."""
        return convert_amount(amount_minor, self.base, self.quote, self.value, rounding=rounding)


@dataclass(frozen=True, slots=True)
class Conversion:
    """An amount converted, with the rate used (reports show it)."""

    source_amount_minor: int
    source_currency: str
    amount_minor: int
    currency: str
    rate: Rate


def convert_amount(
    amount_minor: int,
    source_currency: str,
    target_currency: str,
    rate: Decimal,
    *,
    rounding: str = ROUND_HALF_EVEN,
) -> int:
    """Convert minor units of one currency into minor units of another at ``rate``.

    ``rate`` is target units per source unit (major units). One rounding, at the end,
    to a whole target minor unit (``ROUND_HALF_EVEN`` unless told otherwise).
    """
    if not isinstance(rate, Decimal):
        raise TypeError("a rate must be a Decimal")
    if not rate.is_finite() or rate <= 0:
        raise ValueError(f"a rate must be a positive finite number, not {rate}")
    shift = minor_unit_exponent(target_currency) - minor_unit_exponent(source_currency)
    amount = Decimal(amount_minor)
    # Enough precision for every digit of the product, so the only rounding is the
    # quantize below. Every step runs in this context: the ambient one (28 digits)
    # would round a long product first and round it again in quantize.
    digits = len(amount.as_tuple().digits) + len(rate.as_tuple().digits) + 2
    wide = Context(prec=digits, rounding=rounding)
    exact = wide.multiply(amount, rate).scaleb(shift, context=wide)
    # The whole-unit result can have more digits than the product's coefficient
    # (1 * 1E+5 is one digit, 100000 is six).
    wide.prec = max(digits, exact.adjusted() + 2)
    return int(exact.quantize(Decimal(1), rounding=rounding, context=wide))


def identity_rate(currency: str, on: date) -> Rate:
    return Rate(currency, currency, Decimal(1), on, "identity")


def inverse(rate: Rate) -> Rate:
    """The same rate seen from the other side: quote -> base."""
    value = _RATE_CONTEXT.divide(Decimal(1), rate.value)
    return Rate(rate.quote, rate.base, value, rate.as_of, rate.source)


def cross_rate(base_to_source: Rate, base_to_target: Rate) -> Rate:
    """source -> target from two rates quoted against the same base currency.

    EUR->USD 1.10 and EUR->JPY 160 give USD->JPY 160 / 1.10. The result is as old as
    the older of the two legs.
    """
    if base_to_source.base != base_to_target.base:
        raise ValueError(
            "cross rates need two rates from the same base currency, "
            f"not {base_to_source.base} and {base_to_target.base}"
        )
    value = _RATE_CONTEXT.divide(base_to_target.value, base_to_source.value)
    return Rate(
        base_to_source.quote,
        base_to_target.quote,
        value,
        min(base_to_source.as_of, base_to_target.as_of),
        _join_sources(base_to_source.source, base_to_target.source),
    )


def chain(first: Rate, second: Rate) -> Rate:
    """a -> c from a -> b and b -> c."""
    if first.quote != second.base:
        raise ValueError(
            f"cannot chain {first.base}/{first.quote} with {second.base}/{second.quote}"
        )
    return Rate(
        first.base,
        second.quote,
        _RATE_CONTEXT.multiply(first.value, second.value),
        min(first.as_of, second.as_of),
        _join_sources(first.source, second.source),
    )


def _join_sources(first: str, second: str) -> str:
    return first if first == second else f"{first}+{second}"


class RateSource(Protocol):
    """Anything that can answer "the latest base/quote rate on or before this day".

    Implementations: `RateTable` (rates held in memory, e.g. user-entered rates
    loaded from the database) and `homeledger.fx.ecb.EcbRates` (the ECB history).
    """

    def latest_rate(self, base: str, quote: str, on: date) -> Rate | None:
        """The rate for 1 ``base`` in ``quote`` with the greatest ``as_of`` <= ``on``."""
        ...


class RateTable:
    """An in-memory `RateSource` over a list of rates (typically user-entered ones).

    A rate entered for EUR/USD also answers USD/EUR through its inverse. When both
    directions were entered, the more recent one wins, and the one asked for on a tie.
    If several rates for a pair share a day, the last one given wins (a correction).
    """

    __slots__ = ("_dates", "_rates")

    def __init__(self, rates: Iterable[Rate] = ()) -> None:
        by_pair: dict[tuple[str, str], dict[date, Rate]] = defaultdict(dict)
        for rate in rates:
            by_pair[(rate.base, rate.quote)][rate.as_of] = rate
        self._dates: dict[tuple[str, str], list[date]] = {}
        self._rates: dict[tuple[str, str], list[Rate]] = {}
        for pair, by_day in by_pair.items():
            days = sorted(by_day)
            self._dates[pair] = days
            self._rates[pair] = [by_day[day] for day in days]

    def _latest(self, pair: tuple[str, str], on: date) -> Rate | None:
        days = self._dates.get(pair)
        if not days:
            return None
        index = bisect.bisect_right(days, on)
        return self._rates[pair][index - 1] if index else None

    def latest_rate(self, base: str, quote: str, on: date) -> Rate | None:
        if base == quote:
            return identity_rate(base, on)
        direct = self._latest((base, quote), on)
        reverse = self._latest((quote, base), on)
        if reverse is not None and (direct is None or reverse.as_of > direct.as_of):
            return inverse(reverse)
        return direct


class RatePrecedence(enum.Enum):
    LATEST = "latest"
    """The most recent rate wins; on the same day, the source listed first."""
    SOURCE_ORDER = "source-order"
    """The first source (in list order) that has any rate on or before the day wins."""


def _pick(
    base: str, quote: str, on: date, sources: Sequence[RateSource], precedence: RatePrecedence
) -> Rate | None:
    best: Rate | None = None
    for source in sources:
        rate = source.latest_rate(base, quote, on)
        if rate is None:
            continue
        if rate.as_of > on:
            raise ValueError(f"{type(source).__name__} answered a rate from after {on}")
        if precedence is RatePrecedence.SOURCE_ORDER:
            return rate
        # Strictly later only: on a tie the earlier source (the override) stays.
        if best is None or rate.as_of > best.as_of:
            best = rate
    return best


def find_rate(
    base: str,
    quote: str,
    on: date,
    sources: Sequence[RateSource],
    *,
    pivot: str | None = None,
    precedence: RatePrecedence = RatePrecedence.LATEST,
) -> Rate:
    """The rate for 1 ``base`` in ``quote`` to use for ``on`` (see the module docs).

    Raises `RateNotFoundError` when no source (directly, or through ``pivot``) has a
    rate dated on or before ``on``.
    """
    minor_unit_exponent(base)
    minor_unit_exponent(quote)
    if base == quote:
        return identity_rate(base, on)
    direct = _pick(base, quote, on, sources, precedence)
    if direct is not None:
        return direct
    if pivot is not None and pivot not in (base, quote):
        to_pivot = _pick(base, pivot, on, sources, precedence)
        from_pivot = _pick(pivot, quote, on, sources, precedence)
        if to_pivot is not None and from_pivot is not None:
            return chain(to_pivot, from_pivot)
    raise RateNotFoundError(base, quote, on)


def convert_on(
    amount_minor: int,
    source_currency: str,
    target_currency: str,
    on: date,
    sources: Sequence[RateSource],
    *,
    pivot: str | None = None,
    precedence: RatePrecedence = RatePrecedence.LATEST,
) -> Conversion:
    """Convert at the rate of the day ``on`` (e.g. the transaction date)."""
    rate = find_rate(
        source_currency, target_currency, on, sources, pivot=pivot, precedence=precedence
    )
    return Conversion(
        source_amount_minor=amount_minor,
        source_currency=source_currency,
        amount_minor=rate.convert(amount_minor),
        currency=target_currency,
        rate=rate,
    )
