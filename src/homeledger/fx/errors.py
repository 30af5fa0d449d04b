"""Errors of currency conversion."""

from __future__ import annotations

from homeledger.fx.calc import RateNotFoundError
from homeledger.kit.errors import DomainError


class MissingRate(DomainError):
    status_code = 422
    type = "missing-fx-rate"
    title = "Exchange rate missing"

    @classmethod
    def from_error(cls, error: RateNotFoundError) -> MissingRate:
        return cls(
            f"no {error.base}/{error.quote} rate on or before {error.on.isoformat()}: "
            "the ECB history has none; add one under exchange rates",
            base=error.base,
            quote=error.quote,
            on=error.on.isoformat(),
        )
