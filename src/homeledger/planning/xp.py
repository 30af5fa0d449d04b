"""The single array namespace of the planning engine.

Every module in ``planning`` does its array work through ``xp`` (NumPy today) so that an
array library with the same API (CuPy, or the array-API namespace of another backend) can
stand in later by changing this one file. The engine works in float64: it simulates returns,
it does not keep books, so money arrives as ``Decimal`` from the ledger at the edge and is
converted once (see :func:`homeledger.planning.plan.to_float`).
"""

from __future__ import annotations

import numpy
import numpy.typing as npt

xp = numpy

FloatArray = npt.NDArray[numpy.float64]
IntArray = npt.NDArray[numpy.int64]
BoolArray = npt.NDArray[numpy.bool_]
Generator = numpy.random.Generator


def make_rng(seed: int | None) -> Generator:
    """A seedable generator (PCG64): the same seed always gives the same draws."""
    return xp.random.default_rng(seed)


__all__ = ["BoolArray", "FloatArray", "Generator", "IntArray", "make_rng", "xp"]
