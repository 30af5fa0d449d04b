"""Return models: where each simulated path's monthly returns come from.

A model streams one simulated year at a time (:class:`YearDraw`), so the engine never holds
more than ``assets x 12 x paths`` numbers of returns, whatever the horizon.

Historical models (rolling sequences, i.i.d. bootstrap, block bootstrap) pick, for each path
and simulated year, a year of :class:`~homeledger.planning.history.AnnualHistory`; stocks,
bonds and inflation of that year travel together, so their correlation is the historical one.
The data is annual; within a year every month earns the same rate ``(1 + r) ** (1/12)``.

Parametric models (lognormal, Student-t) draw every month afresh: correlated shocks for the
assets' monthly log returns, with a constant inflation rate. All models take their randomness
from the ``numpy.random.Generator`` the engine passes in, so a seed reproduces a run.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from homeledger.planning.history import MONTHS, AnnualHistory
from homeledger.planning.xp import FloatArray, Generator, IntArray, xp


@dataclass(frozen=True)
class YearDraw:
    """One simulated year for every path."""

    growth: FloatArray
    """Monthly gross nominal returns, shape (assets, 12, paths); 1.01 means +1 %."""
    inflation: FloatArray
    """Inflation over the year, shape (paths,)."""
    history_index: IntArray | None = None
    """For historical models: which data year each path used (position in the history)."""


class ReturnModel(Protocol):
    """What the engine needs from a return model."""

    @property
    def n_assets(self) -> int: ...

    def n_paths(self, requested: int, years: int) -> int:
        """How many paths the model simulates when ``requested`` are asked for."""
        ...

    def stream(self, paths: int, years: int, rng: Generator) -> Iterator[YearDraw]:
        """Yield ``years`` draws, one per simulated year."""
        ...


class _HistoricalModel:
    """Shared by the models that replay historical years."""

    def __init__(self, history: AnnualHistory) -> None:
        self.history = history
        self._returns = history.asset_returns()
        self._monthly = (1.0 + self._returns) ** (1.0 / MONTHS)

    @property
    def n_assets(self) -> int:
        return int(self._returns.shape[0])

    @property
    def n_years(self) -> int:
        return int(self._returns.shape[1])

    def _draw(self, index: IntArray) -> YearDraw:
        monthly = self._monthly[:, index]
        # Same rate every month of the year: a broadcast view, not twelve copies.
        growth = xp.broadcast_to(monthly[:, None, :], (monthly.shape[0], MONTHS, index.size))
        return YearDraw(growth=growth, inflation=self.history.inflation[index], history_index=index)


class HistoricalRolling(_HistoricalModel):
    """Every start year whose whole horizon fits in the data (FIRECalc, cFIREsim, Trinity)."""

    def n_paths(self, requested: int, years: int) -> int:
        periods = self.n_years - years + 1
        if periods < 1:
            raise ValueError(
                f"a {years}-year horizon does not fit in {self.history.first_year}.."
                f"{self.history.last_year}"
            )
        return periods

    def start_years(self, years: int) -> IntArray:
        """The calendar year each path starts in."""
        return self.history.year[: self.n_paths(0, years)].copy()

    def stream(self, paths: int, years: int, rng: Generator) -> Iterator[YearDraw]:
        start = xp.arange(self.n_paths(paths, years), dtype=xp.int64)
        for year in range(years):
            yield self._draw(start + year)


class Bootstrap(_HistoricalModel):
    """Each simulated year is a historical year drawn at random, with replacement."""

    def n_paths(self, requested: int, years: int) -> int:
        return requested

    def stream(self, paths: int, years: int, rng: Generator) -> Iterator[YearDraw]:
        for _ in range(years):
            yield self._draw(rng.integers(0, self.n_years, size=paths, dtype=xp.int64))


class BlockBootstrap(_HistoricalModel):
    """Runs of ``block_years`` consecutive historical years, wrapping around the end.

    Blocks keep the serial correlation of returns and inflation (bad decades stay bad), which
    the i.i.d. bootstrap destroys. Wrapping (a circular bootstrap) gives every year the same
    chance to appear.
    """

    def __init__(self, history: AnnualHistory, block_years: int = 5) -> None:
        if block_years < 1:
            raise ValueError("a block needs at least one year")
        super().__init__(history)
        self.block_years = block_years

    def n_paths(self, requested: int, years: int) -> int:
        return requested

    def stream(self, paths: int, years: int, rng: Generator) -> Iterator[YearDraw]:
        start = xp.zeros(paths, dtype=xp.int64)
        for year in range(years):
            offset = year % self.block_years
            if offset == 0:
                start = rng.integers(0, self.n_years, size=paths, dtype=xp.int64)
            yield self._draw((start + offset) % self.n_years)


@dataclass(frozen=True)
class MarketAssumptions:
    """Annual log-return parameters of each asset, and a constant inflation rate."""

    log_mean: tuple[float, ...]
    """Mean of ln(1 + annual return) per asset."""
    log_volatility: tuple[float, ...]
    """Standard deviation of ln(1 + annual return) per asset."""
    correlation: tuple[tuple[float, ...], ...]
    inflation: float = 0.03

    @classmethod
    def from_expected(
        cls,
        expected_return: tuple[float, ...],
        volatility: tuple[float, ...],
        correlation: tuple[tuple[float, ...], ...],
        inflation: float = 0.03,
    ) -> MarketAssumptions:
        """From the arithmetic mean and standard deviation of annual returns."""
        log_vol = tuple(
            math.sqrt(math.log(1.0 + (sd / (1.0 + mean)) ** 2))
            for mean, sd in zip(expected_return, volatility, strict=True)
        )
        log_mean = tuple(
            math.log(1.0 + mean) - lv**2 / 2.0
            for mean, lv in zip(expected_return, log_vol, strict=True)
        )
        return cls(log_mean, log_vol, correlation, inflation)

    @classmethod
    def from_history(cls, history: AnnualHistory) -> MarketAssumptions:
        """Estimate every parameter from a window of history."""
        logs = xp.log1p(history.asset_returns())
        correlation = xp.corrcoef(logs)
        growth = float(xp.prod(1.0 + history.inflation))
        return cls(
            log_mean=tuple(float(v) for v in logs.mean(axis=1)),
            log_volatility=tuple(float(v) for v in logs.std(axis=1, ddof=1)),
            correlation=tuple(tuple(float(v) for v in row) for row in correlation),
            inflation=growth ** (1.0 / history.year.size) - 1.0,
        )

    def monthly_loadings(self) -> tuple[FloatArray, FloatArray]:
        """Monthly log-mean per asset and the matrix that turns i.i.d. shocks into returns."""
        volatility = xp.array(self.log_volatility) / math.sqrt(MONTHS)
        cholesky = xp.linalg.cholesky(xp.array(self.correlation, dtype=xp.float64))
        return xp.array(self.log_mean) / MONTHS, volatility[:, None] * cholesky


class Lognormal:
    """Monthly log returns are multivariate normal (i.i.d. across months)."""

    def __init__(self, assumptions: MarketAssumptions) -> None:
        self.assumptions = assumptions
        self._mean, self._loadings = assumptions.monthly_loadings()

    @property
    def n_assets(self) -> int:
        return int(self._mean.size)

    def n_paths(self, requested: int, years: int) -> int:
        return requested

    def _shocks(self, rng: Generator, out: FloatArray) -> None:
        rng.standard_normal(out=out)

    def stream(self, paths: int, years: int, rng: Generator) -> Iterator[YearDraw]:
        shocks = xp.empty((self.n_assets, MONTHS, paths))
        growth = xp.empty_like(shocks)
        inflation = xp.full(paths, self.assumptions.inflation)
        for _ in range(years):
            self._shocks(rng, shocks)
            _correlate(self._loadings, self._mean, shocks, growth)
            yield YearDraw(growth=xp.exp(growth, out=growth), inflation=inflation)


class StudentT(Lognormal):
    """Monthly log returns are multivariate Student-t: fatter tails, same mean and volatility.

    The shocks ``z * sqrt((df - 2) / chi2_df)`` share one chi-square draw across assets, so a
    bad month tends to be bad for every asset at once (tail dependence), as in 2008.
    """

    def __init__(self, assumptions: MarketAssumptions, degrees_of_freedom: float = 5.0) -> None:
        if degrees_of_freedom <= 2.0:
            raise ValueError("Student-t needs more than 2 degrees of freedom for a finite variance")
        super().__init__(assumptions)
        self.degrees_of_freedom = degrees_of_freedom

    def _shocks(self, rng: Generator, out: FloatArray) -> None:
        rng.standard_normal(out=out)
        df = self.degrees_of_freedom
        scale = rng.chisquare(df, size=out.shape[1:])
        xp.divide(df - 2.0, scale, out=scale)
        xp.sqrt(scale, out=scale)
        xp.multiply(out, scale[None, :, :], out=out)


def _correlate(loadings: FloatArray, mean: FloatArray, shocks: FloatArray, out: FloatArray) -> None:
    """out[i] = mean[i] + sum_j loadings[i, j] * shocks[j], as one matrix product in place."""
    assets = mean.size
    xp.matmul(loadings, shocks.reshape(assets, -1), out=out.reshape(assets, -1))
    out += mean[:, None, None]
