"""What a simulation returns, and the summaries a person reads from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeledger.planning.xp import FloatArray, IntArray, xp

BAND_PERCENTILES: tuple[int, ...] = (5, 10, 25, 50, 75, 90, 95)
ENDING_PERCENTILES: tuple[int, ...] = (1, 5, 10, 25, 50, 75, 90, 95, 99)


def percentiles(values: FloatArray, which: tuple[int, ...] = BAND_PERCENTILES) -> FloatArray:
    """Percentiles of one year's values across paths, with NumPy's default (linear)
    interpolation. A full sort is used because NumPy's vectorised sort is several times
    faster than the selection ``numpy.percentile`` runs, and this is called every year."""
    ordered = xp.sort(values)
    position = (ordered.size - 1) * xp.asarray(which, dtype=xp.float64) / 100.0
    below = xp.floor(position).astype(xp.int64)
    above = xp.minimum(below + 1, ordered.size - 1)
    result: FloatArray = ordered[below] + (ordered[above] - ordered[below]) * (position - below)
    return result


@dataclass(frozen=True)
class WorstPath:
    """The path that ran out first (or, if none did, ended lowest)."""

    index: int
    depleted_in_year: int | None
    """Simulated year (0-based) in which the money ran out; None if it never did."""
    ending_real_value: float
    lowest_real_value: float
    start_year: int | None = None
    """Calendar start year, for rolling historical sequences."""


@dataclass(frozen=True)
class SimulationResult:
    """Outcome of one simulation; every value is in plan-start money ("real")."""

    paths: int
    years: int
    success_rate: float
    """Share of paths in which every withdrawal was paid in full, 0..1."""
    ending_real: FloatArray
    """Real portfolio value at the horizon, per path (0 where the money ran out)."""
    depleted_year: IntArray
    """Simulated year in which each path ran out, -1 if it never did."""
    worst: WorstPath
    bands: FloatArray | None = None
    """Real portfolio value at the start (row 0) and at the end of each year, at the
    percentiles of ``BAND_PERCENTILES``; shape (years + 1, 7). None unless requested."""
    start_years: IntArray | None = None
    """Calendar start year of each path, for rolling historical sequences."""

    @property
    def failures(self) -> int:
        return int(xp.count_nonzero(self.depleted_year >= 0))

    def ending_percentiles(self) -> dict[int, float]:
        values = percentiles(self.ending_real, ENDING_PERCENTILES)
        return {p: float(v) for p, v in zip(ENDING_PERCENTILES, values, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the CLI's ``--json`` output)."""
        summary: dict[str, Any] = {
            "success_rate": self.success_rate,
            "paths": self.paths,
            "years": self.years,
            "failures": self.failures,
            "ending_real_value": {
                "mean": float(self.ending_real.mean()),
                "percentiles": {str(p): v for p, v in self.ending_percentiles().items()},
            },
            "worst": {
                "path": self.worst.index,
                "start_year": self.worst.start_year,
                "depleted_in_year": self.worst.depleted_in_year,
                "ending_real_value": self.worst.ending_real_value,
                "lowest_real_value": self.worst.lowest_real_value,
            },
        }
        if self.bands is not None:
            summary["bands"] = {
                "percentiles": list(BAND_PERCENTILES),
                "years": [
                    {
                        "year": year,
                        **{f"p{p}": float(v) for p, v in zip(BAND_PERCENTILES, row, strict=True)},
                    }
                    for year, row in enumerate(self.bands)
                ],
            }
        if self.start_years is not None:
            summary["historical_periods"] = self.paths
            summary["first_start_year"] = int(self.start_years[0])
            summary["last_start_year"] = int(self.start_years[-1])
        return summary


def worst_path(
    depleted_year: IntArray,
    ending_real: FloatArray,
    lowest_real: FloatArray,
    start_years: IntArray | None,
) -> WorstPath:
    """Earliest depletion wins; among equals (or if none failed), the lowest ending value."""
    never = depleted_year.max(initial=0) + 1
    order_key = xp.where(depleted_year >= 0, depleted_year, never)
    candidates = xp.flatnonzero(order_key == order_key.min())
    index = int(candidates[xp.argmin(ending_real[candidates])])
    year = int(depleted_year[index])
    return WorstPath(
        index=index,
        depleted_in_year=year if year >= 0 else None,
        ending_real_value=float(ending_real[index]),
        lowest_real_value=float(lowest_real[index]),
        start_year=None if start_years is None else int(start_years[index]),
    )
