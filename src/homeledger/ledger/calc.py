"""Pure ledger arithmetic: balancing, signs, sums."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from homeledger.kit.money import format_plain


def imbalance(postings: Iterable[tuple[int, str]]) -> dict[str, int]:
    """Per-currency sums that are not zero (a balanced transaction has none).

    >>> imbalance([(-1000, "EUR"), (600, "EUR"), (400, "EUR")])
    {}
    >>> imbalance([(-1000, "USD"), (900, "EUR")])
    {'EUR': 900, 'USD': -1000}
    """
    sums: dict[str, int] = defaultdict(int)
    for amount, currency in postings:
        sums[currency] += amount
    return {c: s for c, s in sorted(sums.items()) if s != 0}


def describe_imbalance(sums: dict[str, int]) -> str:
    """'EUR +9.00, USD -10.00': what the postings are off by, per currency."""
    parts = []
    for currency, minor in sums.items():
        text = format_plain(minor, currency)
        parts.append(f"{currency} {'+' if minor > 0 else ''}{text}")
    return ", ".join(parts)
