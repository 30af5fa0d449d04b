"""What every insight shares, as plain data: the ledger as the detectors see it, the
normalised payee text, stable insight keys and amounts in words. No ORM, no FastAPI."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from homeledger.kit.money import format_plain

_NOT_WORD = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d")


def normalise_text(text: str) -> str:
    """Bank text without what changes from one payment to the next.

    Case-folded words; a word holding any digit (card numbers, dates, times, branch
    and reference numbers) is dropped, so is punctuation:

    >>> normalise_text("POS 4411 LIDL DIENSTL. SAGT DANKE 03.06 14:22")
    'pos lidl dienstl sagt danke'
    >>> normalise_text("SEPA-LASTSCHRIFT NETFLIX.COM REF8H2K")
    'sepa lastschrift netflix com'
    """
    words = _NOT_WORD.sub(" ", text.casefold()).split()
    return " ".join(w for w in words if not _DIGIT.search(w))


@dataclass(frozen=True, slots=True)
class CategoryPosting:
    category_id: str
    amount_minor: int
    """Ledger-signed: spending is positive on an expense category, income negative."""
    currency: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One transaction as the insights see it."""

    transaction_id: str
    date: dt.date
    payee: str
    memo: str
    account_id: str | None
    """The asset or liability side (the first, when there are several); None for a
    transaction that touches no such account."""
    amount_minor: int
    """As it hits `account_id`: a payment is negative, money received positive."""
    currency: str
    categories: tuple[CategoryPosting, ...] = ()
    """Every income or expense posting, including ones to an Uncategorised category."""
    uncategorised: bool = False
    """True when a posting goes to an Uncategorised category."""
    updated_at: dt.datetime | None = None

    @property
    def category_id(self) -> str | None:
        """The transaction's category: its one income or expense posting. None for a
        split (several), a transfer (none) or money not sorted yet."""
        if self.uncategorised or len(self.categories) != 1:
            return None
        return self.categories[0].category_id

    @property
    def is_transfer(self) -> bool:
        return not self.categories


def insight_key(kind: str, subject: str, period: str = "") -> str:
    """A stable id of an insight: the same finding raised again has the same key, so a
    dismissal sticks. 24 hex digits of SHA-256 over kind, subject and period.

    >>> insight_key("unusual-month", "cat1", "2025-06")
    '1cad82d4f1c43678fed7544b'
    """
    digest = hashlib.sha256("\x1f".join((kind, subject, period)).encode()).hexdigest()
    return digest[:24]


def money(minor: int, currency: str) -> str:
    """'212.40' for 21240 EUR: the figure as the ledger shows it."""
    return format_plain(minor, currency)


def times(ratio: float) -> str:
    """'2.8x' (one decimal; floats are fine for a ratio shown to a person)."""
    return f"{ratio:.1f}x"
