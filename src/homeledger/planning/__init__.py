"""Retirement and savings planning: Monte Carlo and historical simulation.

Pure calculation (NumPy through :mod:`homeledger.planning.xp`), no database and no web: the
service layer loads the household's numbers from the ledger, converts its ``Decimal`` money
to float64 once at the edge (:func:`homeledger.planning.plan.to_float`) and calls
:func:`homeledger.planning.engine.simulate`. float64 is deliberate: this simulates returns,
it is not the ledger.
"""

from homeledger.planning.engine import simulate
from homeledger.planning.plan import Income, OneOff, Plan, to_float
from homeledger.planning.results import BAND_PERCENTILES, SimulationResult, WorstPath

__all__ = [
    "BAND_PERCENTILES",
    "Income",
    "OneOff",
    "Plan",
    "SimulationResult",
    "WorstPath",
    "simulate",
    "to_float",
]
