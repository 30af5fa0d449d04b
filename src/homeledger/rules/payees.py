"""Payee text from banks, made comparable and readable. Pure functions.

A bank writes the same shop a different way on every line: 'POS 1234 AMAZON
MKTPLACE*2K4', 'AMAZON MKTPLACE*7Q1 AMZN.COM/BILL'. `payee_key` reduces such text to a
stable key ('amazon mktplace amzn com bill' and friends share their first words), the
key under which the user's own corrections are remembered (`payee_aliases`); an
alias for 'amazon mktplace' also serves 'amazon mktplace amzn' (`key_prefixes`).
`clean_payee` is the readable default shown before anyone corrected it.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

# Words that say how the money moved, not who received it. Removed only at the start.
_LEADING_NOISE = frozenset(
    {
        "pos",
        "purchase",
        "debit",
        "credit",
        "card",
        "visa",
        "mastercard",
        "maestro",
        "contactless",
        "chq",
        "dd",
        "so",
        "bgc",
        "fpo",
        "fpi",
        "tfr",
        "ach",
        "ec",
        "sepa",
        "kartenzahlung",
        "lastschrift",
        "gutschrift",
        "ueberweisung",
        "überweisung",
        "dauerauftrag",
        "girocard",
        "folgelastschrift",
        "basislastschrift",
        "onlinekartenzahlung",
        "cb",
        "prlv",
        "vir",
        "paiement",
    }
)
_LEGAL_FORMS = frozenset({"gmbh", "ag", "inc", "ltd", "llc", "plc", "sa", "sarl", "bv", "co", "kg"})
_SPLIT = re.compile(r"[^\w&]+", re.UNICODE)
_REFERENCE_AFTER_STAR = re.compile(r"\*\s*[A-Za-z0-9]*\d[A-Za-z0-9]*")
MAX_KEY_WORDS = 3


def _words(text: str) -> list[str]:
    # '*2K4' style order references after a star are noise; 'SQ *BLUE BOTTLE' keeps
    # the merchant after the star.
    text = _REFERENCE_AFTER_STAR.sub(" ", text)
    return [w for w in _SPLIT.split(text) if w and not w.isspace()]


def _meaningful(words: list[str]) -> list[str]:
    kept = [w.strip("&") if w != "&" else w for w in words]
    kept = [w for w in kept if w and not any(ch.isdigit() for ch in w) and w != "_"]
    while kept and kept[0].casefold() in _LEADING_NOISE:
        kept.pop(0)
    return kept


@lru_cache(maxsize=1 << 16)  # bank files repeat the same texts thousands of times
def payee_key(raw: str) -> str:
    """The comparable key of a bank's payee text: lower case, no numbers, no card
    prefixes, at most three words. Empty only for empty input.

    >>> payee_key("POS 1234 AMAZON MKTPLACE*2K4")
    'amazon mktplace'
    >>> payee_key("WHOLE FOODS #10234")
    'whole foods'
    """
    words = _meaningful(_words(raw))
    if not words:
        return " ".join(raw.casefold().split())[:100]
    return " ".join(w.casefold() for w in words[:MAX_KEY_WORDS])[:100]


def key_prefixes(key: str) -> list[str]:
    """The key and its shorter word prefixes, longest first: the keys an alias may
    have been saved under.

    >>> key_prefixes("amazon mktplace amzn")
    ['amazon mktplace amzn', 'amazon mktplace', 'amazon']
    """
    words = key.split()
    return [" ".join(words[:n]) for n in range(len(words), 0, -1)] or [key]


@lru_cache(maxsize=1 << 16)
def clean_payee(raw: str) -> str:
    """A readable payee for bank text nobody has corrected yet.

    Text in capitals becomes title case; mixed-case text keeps its casing.

    >>> clean_payee("POS 1234 AMAZON MKTPLACE*2K4")
    'Amazon Mktplace'
    >>> clean_payee("REWE Markt GmbH")
    'REWE Markt GmbH'
    """
    words = _meaningful(_words(raw))[:6]
    if not words:
        return " ".join(raw.split())[:200]
    shouting = all(not w.isalpha() or w.isupper() for w in words)
    if shouting:
        words = [w if "&" in w else w.capitalize() for w in words]
    return " ".join(words)[:200]


def comparable(text: str) -> str:
    """Lower case, single spaces: what fingerprints and similarity compare."""
    return " ".join(text.casefold().split())


def similarity(a: str, b: str) -> float:
    """How alike two payee texts are, 0.0 to 1.0, ignoring numbers, card prefixes and
    legal forms; one name contained in the other counts as 0.9 at least."""
    left, right = _core(a), _core(b)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    ratio = SequenceMatcher(None, left, right).ratio()
    shorter, longer = sorted((left.split(), right.split()), key=len)
    if shorter and set(shorter) <= set(longer):
        ratio = max(ratio, 0.9)
    return ratio


def _core(text: str) -> str:
    words = [w.casefold() for w in _meaningful(_words(text))]
    return " ".join(w for w in words if w not in _LEGAL_FORMS)
