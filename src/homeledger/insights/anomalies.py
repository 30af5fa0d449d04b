"""Unusual transactions and unusual months, by robust statistics, said in words.

"Usual" is the median, and the spread is the median absolute deviation (MAD), so a
few big months or one odd payment do not move the yardstick the way a mean and a
standard deviation would. The robust score of an amount x is Iglewicz and Hoaglin's
modified z-score, (x - median) / (1.4826 x MAD); when the MAD is 0 (a fixed amount
paid most times) the spread falls back to 1.2533 x the mean absolute deviation, and
when that is 0 too, any amount above the thresholds counts.

Thresholds (each must hold; only unusually *high* spending is raised):

* Transactions: a payment at least `TRANSACTION_RATIO` (2x) the usual, at least
  `Z_THRESHOLD` (3.5) robust deviations above it, and at least `min_excess_minor`
  (10 units of the currency by default) more. The usual is that of the same payee's
  payments in the `LOOKBACK_DAYS` (365) before it when there are at least
  `MIN_PAYEE_HISTORY` (5), else of its category's when there are at least
  `MIN_CATEGORY_HISTORY` (8); with less history nothing is said.
  "Stadtwerke 212.40 is 2.8x the usual 75.00".
* Months: a category's spending in a calendar month at least `MONTH_RATIO` (1.5x) its
  median over the 12 months before, at least 3.5 robust deviations above, and at
  least `min_excess_minor` more. Months since the category was first used count,
  with 0 for a month without spending; at least `MIN_MONTHS` (6) are needed, and a
  category whose usual month is 0 (travel, gifts) is not judged. The current month
  counts from its first day to today. "3.4x your usual groceries spend".
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from homeledger.insights.calc import insight_key, money, normalise_text, times
from homeledger.kit.errors import InvalidInput
from homeledger.kit.money import exponent

Z_THRESHOLD = 3.5
TRANSACTION_RATIO = 2.0
MONTH_RATIO = 1.5
LOOKBACK_DAYS = 365
MIN_PAYEE_HISTORY = 5
MIN_CATEGORY_HISTORY = 8
MIN_MONTHS = 6
HISTORY_MONTHS = 12
MAD_SCALE = 1.4826
MEAN_AD_SCALE = 1.2533
TRANSACTION_KIND = "unusual-transaction"
MONTH_KIND = "unusual-month"


@dataclass(frozen=True, slots=True)
class Spend:
    """One expense posting: `amount_minor` positive is money spent (a refund is
    negative)."""

    transaction_id: str
    date: dt.date
    payee: str
    category_id: str
    amount_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class Anomaly:
    key: str
    kind: str
    """unusual-transaction | unusual-month"""
    category_id: str
    currency: str
    amount_minor: int
    usual_minor: int
    ratio: float
    score: float
    """Robust deviations above the usual (inf when the history never varies)."""
    history_size: int
    date: dt.date
    """The transaction's date, or the first day of the month."""
    transaction_id: str | None
    basis: str
    """payee | category | month"""
    title: str
    why: str


@dataclass(frozen=True, slots=True)
class Yardstick:
    usual: float
    spread: float


def yardstick(history: Sequence[int]) -> Yardstick:
    """The median and the robust spread of `history` (see the module docstring)."""
    usual = statistics.median(history)
    deviations = [abs(x - usual) for x in history]
    spread = MAD_SCALE * statistics.median(deviations)
    if spread == 0:
        spread = MEAN_AD_SCALE * statistics.fmean(deviations)
    return Yardstick(float(usual), spread)


def robust_score(value: int, stick: Yardstick) -> float:
    if stick.spread == 0:
        return math.inf if value > stick.usual else 0.0
    return (value - stick.usual) / stick.spread


def _unusual(value: int, stick: Yardstick, ratio: float, min_excess: int) -> bool:
    return (
        stick.usual > 0
        and value >= ratio * stick.usual
        and value - stick.usual >= min_excess
        and robust_score(value, stick) >= Z_THRESHOLD
    )


def _score_text(score: float) -> str:
    return "never varied before" if math.isinf(score) else f"{score:.1f} robust deviations above"


def unusual_transactions(
    spends: Iterable[Spend],
    names: Mapping[str, str],
    since: dt.date,
    until: dt.date,
    min_excess_minor: Mapping[str, int] | None = None,
) -> list[Anomaly]:
    """Spends dated in [since, until] that stand out against the payee's (or the
    category's) history, newest first. `names`: category id -> name;
    `min_excess_minor`: currency -> smallest excess worth raising (default 10 units)."""
    by_payee: dict[tuple[str, str], list[Spend]] = defaultdict(list)
    by_category: dict[tuple[str, str], list[Spend]] = defaultdict(list)
    everything = sorted(spends, key=lambda s: (s.date, s.transaction_id))
    for spend in everything:
        payee = normalise_text(spend.payee)
        if payee:
            by_payee[(payee, spend.currency)].append(spend)
        by_category[(spend.category_id, spend.currency)].append(spend)
    dates = {key: [s.date for s in group] for key, group in by_payee.items()}
    category_dates = {key: [s.date for s in group] for key, group in by_category.items()}
    found = []
    for spend in everything:
        if not since <= spend.date <= until or spend.amount_minor <= 0:
            continue
        start = spend.date - dt.timedelta(days=LOOKBACK_DAYS)
        name = names.get(spend.category_id, "this category")
        basis, label, history = "category", name, []
        payee_key = (normalise_text(spend.payee), spend.currency)
        if payee_key[0]:
            history = _before(by_payee[payee_key], dates[payee_key], start, spend.date)
            basis, label = "payee", spend.payee
        if len(history) < MIN_PAYEE_HISTORY:
            key = (spend.category_id, spend.currency)
            history = _before(by_category[key], category_dates[key], start, spend.date)
            basis, label = "category", name
            if len(history) < MIN_CATEGORY_HISTORY:
                continue
        amounts = [s.amount_minor for s in history]
        stick = yardstick(amounts)
        floor = (min_excess_minor or {}).get(spend.currency, _default_excess(spend.currency))
        if not _unusual(spend.amount_minor, stick, TRANSACTION_RATIO, floor):
            continue
        ratio = spend.amount_minor / stick.usual
        score = robust_score(spend.amount_minor, stick)
        usual = round(stick.usual)
        amount = money(spend.amount_minor, spend.currency)
        compared = f"payments to {spend.payee}" if basis == "payee" else f"{name} payments"
        found.append(
            Anomaly(
                key=insight_key(TRANSACTION_KIND, spend.transaction_id, spend.category_id),
                kind=TRANSACTION_KIND,
                category_id=spend.category_id,
                currency=spend.currency,
                amount_minor=spend.amount_minor,
                usual_minor=usual,
                ratio=round(ratio, 2),
                score=score if math.isinf(score) else round(score, 2),
                history_size=len(amounts),
                date=spend.date,
                transaction_id=spend.transaction_id,
                basis=basis,
                title=(
                    f"{label} {amount} is {times(ratio)} the usual {money(usual, spend.currency)}"
                ),
                why=(
                    f"{label} {amount} on {spend.date.isoformat()} is {times(ratio)} the "
                    f"median of the {len(amounts)} {compared} in the year before "
                    f"({money(usual, spend.currency)}; {_score_text(score)}). Raised when a "
                    f"payment is at least {TRANSACTION_RATIO:g}x the usual and "
                    f"{Z_THRESHOLD:g} robust deviations above it."
                ),
            )
        )
    return sorted(found, key=lambda a: (a.date, a.key), reverse=True)


def _before(
    group: Sequence[Spend], dates: Sequence[dt.date], start: dt.date, end: dt.date
) -> list[Spend]:
    """The group's spends dated in [start, end)."""
    return list(group[bisect.bisect_left(dates, start) : bisect.bisect_left(dates, end)])


def _default_excess(currency: str) -> int:
    try:
        return int(10 * 10 ** exponent(currency))
    except InvalidInput:
        return 1000


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def unusual_months(
    spends: Iterable[Spend],
    names: Mapping[str, str],
    since: dt.date,
    today: dt.date,
    min_excess_minor: Mapping[str, int] | None = None,
) -> list[Anomaly]:
    """Months from the one holding `since` up to today's (so far) whose spending in a
    category stands out against the 12 months before, newest first."""
    totals: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for spend in spends:
        if spend.date <= today:
            totals[(spend.category_id, spend.currency)][_month_index(spend.date)] += (
                spend.amount_minor
            )
    first_month, this_month = _month_index(since), _month_index(today)
    found = []
    for (category_id, currency), months in totals.items():
        began = min(months)
        name = names.get(category_id, "this category")
        floor = (min_excess_minor or {}).get(currency, _default_excess(currency))
        for month in range(max(first_month, began + 1), this_month + 1):
            window = range(max(began, month - HISTORY_MONTHS), month)
            if len(window) < MIN_MONTHS:
                continue
            history = [months.get(m, 0) for m in window]
            stick = yardstick(history)
            total = months.get(month, 0)
            if not _unusual(total, stick, MONTH_RATIO, floor):
                continue
            ratio = total / stick.usual
            score = robust_score(total, stick)
            usual = round(stick.usual)
            period = f"{month // 12:04d}-{month % 12 + 1:02d}"
            so_far = " so far" if month == this_month else ""
            found.append(
                Anomaly(
                    key=insight_key(MONTH_KIND, category_id, f"{period}\x1f{currency}"),
                    kind=MONTH_KIND,
                    category_id=category_id,
                    currency=currency,
                    amount_minor=total,
                    usual_minor=usual,
                    ratio=round(ratio, 2),
                    score=score if math.isinf(score) else round(score, 2),
                    history_size=len(history),
                    date=_month_start(month),
                    transaction_id=None,
                    basis="month",
                    title=f"{name} in {period}: {times(ratio)} your usual {name.lower()} spend",
                    why=(
                        f"You spent {money(total, currency)} on {name} in {period}{so_far}, "
                        f"{times(ratio)} your usual {money(usual, currency)} a month (the "
                        f"median of the {len(history)} months before; "
                        f"{_score_text(score)}). Raised when a month is at least "
                        f"{MONTH_RATIO:g}x the usual and {Z_THRESHOLD:g} robust deviations "
                        f"above it."
                    ),
                )
            )
    return sorted(found, key=lambda a: (a.date, a.key), reverse=True)
