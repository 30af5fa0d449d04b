"""ISO 4217 minor units: how many decimals a currency's smallest unit has.

Amounts are stored as an integer count of minor units, so the exponent decides what
the integer means: 1234 is 12.34 USD, 1234 JPY, and 1.234 BHD.

The table follows ISO 4217 list one (the "minor unit" column), not CLDR. CLDR (and
therefore Babel's ``get_currency_precision``) gives the number of decimals people
*display*, and it says 0 for fourteen currencies whose ISO minor unit is 2 or 3
(AFN, ALL, IQD, IRR, KPW, LAK, LBP, MGA, MMK, RSD, SLL, SOS, SYP, YER). Banks and
statements use the ISO figure (a Serbian statement shows dinars with 2 decimals),
so storage must too; display may round further.

Codes whose minor unit ISO lists as "N.A." (gold XAU, silver XAG, XDR, test codes,
...) are left out on purpose: there is no integer unit to count in. Withdrawn codes
that still occur in historical data (the ECB history has CYP, EEK, HRK, ...) are
kept, each with the exponent it had when it was current.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_ISO_4217_EXPONENTS: dict[str, int] = {
    # Three decimals: the dinars and rials divided into 1000 fils/baisa/dirham.
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
    # Four decimals: units of account indexed to inflation or wages.
    "CLF": 4,
    "UYW": 4,
    # No minor unit in circulation.
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    # Withdrawn (Turkish lira before the 2005 redenomination), kept for history.
    "TRL": 0,
}

# A word list reads like the ISO table and stays 10 lines instead of 150.
_TWO_DECIMAL_CODES = (  # noqa: SIM905
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD "
    "BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD "
    "EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR "
    "IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP "
    "MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN "
    "QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL "
    "THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR "
    "ZMW ZWG ZWL "
    # Withdrawn, kept because the ECB history (and old ledgers) still hold them.
    "CYP EEK HRK LTL LVL MTL ROL SIT SKK"
).split()

_ISO_4217_EXPONENTS.update(dict.fromkeys(_TWO_DECIMAL_CODES, 2))

ISO_4217_EXPONENTS: Mapping[str, int] = MappingProxyType(_ISO_4217_EXPONENTS)
"""Currency code -> number of decimals of its minor unit (read-only)."""


class UnknownCurrencyError(ValueError):
    """The code is not an ISO 4217 currency with a minor unit."""

    def __init__(self, currency: str) -> None:
        super().__init__(f"'{currency}' is not an ISO 4217 currency with a minor unit")
        self.currency = currency


def minor_unit_exponent(currency: str) -> int:
    """Decimals of the currency's minor unit: 2 for EUR, 0 for JPY, 3 for BHD, 4 for CLF.

    Raises `UnknownCurrencyError` for codes that are not in ISO 4217 or have no minor
    unit; codes are case-sensitive, as ISO writes them (upper case).
    """
    try:
        return ISO_4217_EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrencyError(currency) from None


def is_known_currency(currency: str) -> bool:
    return currency in ISO_4217_EXPONENTS
