"""Annual US returns derived from Shiller's data (``data/shiller_annual_1871_2011.csv``).

Conventions (all values are January values, so "year t" runs from January t to January t+1):

* **Stocks** — total return of the S&P Composite with dividends reinvested monthly. The annual
  file gives the January price ``P[t]`` and the dividends ``D[t]`` paid during year t. The price
  is taken to grow at a constant monthly rate ``g = (P[t+1]/P[t])**(1/12)``; a twelfth of
  ``D[t]`` is paid at the end of each month and buys shares at that month's price. Ibbotson's
  S&P 500 total-return series, which the Trinity study used, reinvests dividends monthly; the
  plain ``(P[t+1] + D[t] - P[t]) / P[t]`` of other calculators leaves about 0.25 percentage
  points a year on the table.
* **Inflation** — ``CPI[t+1] / CPI[t] - 1``.
* **Bonds** — Shiller gives a yield (``RLONG``, long-term government), not a return, so a bond
  fund is simulated. Each January the fund buys a bond of constant maturity ``M`` years at par,
  with an annual coupon equal to its yield; a year later it receives the coupon and sells the
  bond, which then has ``M - 1`` years left, at the new January yield::

      return[t] = y[t] + price(coupon=y[t], yield=y[t+1], years=M-1) - 1

  The yield is ``RLONG + spread``. The Trinity study held long-term *high-grade corporate*
  bonds, which pay a credit spread over government bonds; the default spread of 1.0 percentage
  point is about the long-run gap between Aaa corporate and Treasury yields, and the default
  30-year maturity is a long-bond index. Both were chosen, within those plausible ranges
  (maturity 10–30 years, spread 0–1.5 points), as the pair that best reproduces the published
  Trinity tables (see ``tests/planning/test_trinity.py``); they are parameters, not constants.

Returns exist for the years 1871–2010 (the 2010 return needs January 2011).
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources
from typing import TypeVar

from homeledger.planning.xp import FloatArray, IntArray, xp

DATA_FILE = "shiller_annual_1871_2011.csv"
DEFAULT_BOND_MATURITY_YEARS = 30
DEFAULT_BOND_SPREAD = 0.01
MONTHS = 12

_Values = TypeVar("_Values", FloatArray, IntArray)


@dataclass(frozen=True)
class ShillerTable:
    """The raw columns of the annual file, one entry per January."""

    year: IntArray
    price: FloatArray
    dividends: FloatArray
    long_yield: FloatArray
    """``RLONG`` as a fraction (0.05 for 5 %)."""
    cpi: FloatArray


@dataclass(frozen=True)
class AnnualHistory:
    """Nominal annual returns, one entry per year t (January t to January t+1)."""

    year: IntArray
    stocks: FloatArray
    bonds: FloatArray
    inflation: FloatArray

    @property
    def first_year(self) -> int:
        return int(self.year[0])

    @property
    def last_year(self) -> int:
        return int(self.year[-1])

    def window(self, first_year: int | None = None, last_year: int | None = None) -> AnnualHistory:
        """The years first_year..last_year inclusive (the whole history by default)."""
        first = self.first_year if first_year is None else first_year
        last = self.last_year if last_year is None else last_year
        if not self.first_year <= first <= last <= self.last_year:
            raise ValueError(
                f"years {first}..{last} are outside the data ({self.first_year}..{self.last_year})"
            )
        keep = slice(first - self.first_year, last - self.first_year + 1)
        return AnnualHistory(
            year=self.year[keep],
            stocks=self.stocks[keep],
            bonds=self.bonds[keep],
            inflation=self.inflation[keep],
        )

    def asset_returns(self) -> FloatArray:
        """Returns as an (assets, years) array: row 0 stocks, row 1 bonds."""
        return xp.stack([self.stocks, self.bonds])


def read_shiller() -> ShillerTable:
    """Read the shipped CSV file."""
    text = resources.files("homeledger.planning").joinpath("data", DATA_FILE).read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return ShillerTable(
        year=xp.array([int(row["YEAR"]) for row in rows], dtype=xp.int64),
        price=xp.array([float(row["P"]) for row in rows]),
        dividends=xp.array([float(row["D"]) for row in rows]),
        long_yield=xp.array([float(row["RLONG"]) / 100.0 for row in rows]),
        cpi=xp.array([float(row["CPI"]) for row in rows]),
    )


def stock_total_returns(price: FloatArray, dividends: FloatArray) -> FloatArray:
    """Annual total returns with dividends reinvested monthly (one fewer than prices)."""
    start = price[:-1]
    monthly_growth = (price[1:] / start) ** (1.0 / MONTHS)
    month = xp.arange(1, MONTHS + 1, dtype=xp.float64)
    month_end_price = start[:, None] * monthly_growth[:, None] ** month[None, :]
    # Each month-end dividend buys shares, so the share count grows by D/12 / price.
    share_growth = xp.prod(1.0 + dividends[:-1, None] / MONTHS / month_end_price, axis=1)
    result: FloatArray = monthly_growth**MONTHS * share_growth - 1.0
    return result


def bond_price(coupon: FloatArray, yield_: FloatArray, years: int) -> FloatArray:
    """Price per 1 of face of a bond paying an annual ``coupon`` with ``years`` left."""
    if years <= 0:
        return xp.ones_like(coupon)
    discount = (1.0 + yield_) ** -years
    # An annuity of the coupon plus the face value, both discounted at the market yield.
    result: FloatArray = coupon * (1.0 - discount) / yield_ + discount
    return result


def bond_fund_returns(
    long_yield: FloatArray,
    maturity_years: int = DEFAULT_BOND_MATURITY_YEARS,
    spread: float = DEFAULT_BOND_SPREAD,
) -> FloatArray:
    """Annual returns of a constant-maturity bond fund (one fewer than yields)."""
    if maturity_years < 1:
        raise ValueError("a bond fund needs a maturity of at least one year")
    bought = long_yield[:-1] + spread
    sold = long_yield[1:] + spread
    result: FloatArray = bought + bond_price(bought, sold, maturity_years - 1) - 1.0
    return result


@functools.lru_cache(maxsize=8)
def annual_history(
    maturity_years: int = DEFAULT_BOND_MATURITY_YEARS, spread: float = DEFAULT_BOND_SPREAD
) -> AnnualHistory:
    """The full derived history 1871–2010 (cached: the data never changes at run time)."""
    table = read_shiller()
    return AnnualHistory(
        year=_read_only(table.year[:-1]),
        stocks=_read_only(stock_total_returns(table.price, table.dividends)),
        bonds=_read_only(bond_fund_returns(table.long_yield, maturity_years, spread)),
        inflation=_read_only(table.cpi[1:] / table.cpi[:-1] - 1.0),
    )


def _read_only(values: _Values) -> _Values:
    # The cached history is shared by every caller; a stray in-place edit must fail loudly.
    values = values.copy()
    values.flags.writeable = False
    return values
