from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeledger.planning.history import (
    annual_history,
    bond_fund_returns,
    bond_price,
    read_shiller,
    stock_total_returns,
)


def test_history_covers_1871_to_2010() -> None:
    history = annual_history()
    assert history.first_year == 1871
    assert history.last_year == 2010
    assert history.stocks.size == history.bonds.size == history.inflation.size == 140


def test_well_known_years() -> None:
    history = annual_history()

    def year(y: int) -> int:
        return y - history.first_year

    assert history.stocks[year(1931)] < -0.40  # the worst year of the Depression
    assert history.stocks[year(1954)] > 0.40
    assert history.inflation[year(1974)] > 0.10
    assert history.inflation[year(1931)] < -0.08


def test_reinvested_dividends_add_to_the_plain_return() -> None:
    table = read_shiller()
    plain = (table.price[1:] + table.dividends[:-1] - table.price[:-1]) / table.price[:-1]
    reinvested = stock_total_returns(table.price, table.dividends)
    gain = reinvested - plain
    # Reinvesting helps in rising years and costs a little in falling ones; on average it
    # adds a fraction of a percent a year.
    assert 0.0 < gain.mean() < 0.01
    assert np.abs(gain).max() < 0.03


@given(rate=st.floats(min_value=0.001, max_value=0.2), years=st.integers(min_value=0, max_value=40))
def test_a_bond_priced_at_its_own_coupon_is_at_par(rate: float, years: int) -> None:
    price = bond_price(np.array([rate]), np.array([rate]), years)
    assert price[0] == pytest.approx(1.0, rel=1e-12)


def test_bond_fund_earns_the_coupon_when_yields_stand_still_and_loses_when_they_rise() -> None:
    flat = bond_fund_returns(np.array([0.05, 0.05]), maturity_years=30, spread=0.0)
    assert flat[0] == pytest.approx(0.05, rel=1e-12)
    rising = bond_fund_returns(np.array([0.05, 0.07]), maturity_years=30, spread=0.0)
    assert rising[0] < 0.0


def test_cached_history_cannot_be_changed_by_accident() -> None:
    with pytest.raises(ValueError, match="read-only"):
        annual_history().stocks[0] = 1.0
