"""Subscriptions and recurring charges, found in the household's history.

How a series is found
---------------------
Outgoing payments are grouped by normalised payee (`calc.normalise_text`) and
currency. A group, or else each cluster of similar amounts in it (neighbours within
30% of each other, so Amazon Prime stands apart from Amazon shopping), is a series
when:

* it has at least `MIN_OCCURRENCES` (3) payments;
* the median gap between payments names a cadence: weekly (5-9 days), monthly
  (25-35), quarterly (80-100) or yearly (350-380);
* every payment falls within `TOLERANCE_DAYS` (3; weekly: 2, or a weekly window would
  cover most of the week) of the nominal date: the same day of the month (the day
  the payments stray from least, clamped to short months, so "the 31st" is the last
  day of every month), the same weekday for weekly ones. One nominal date in four may
  be missed (a gap of two periods), never more;
* its amount is stable: exactly equal, or equal but for lasting price changes (at
  most one change in three payments), or varying with a coefficient of variation of
  at most `MAX_VARIATION` (0.25: utility bills).

What is reported
----------------
Cadence, day, payments, the current amount (the last one when the amount is fixed;
the median of the last year's payments when it varies), the yearly cost (current
amount x 52, 12, 4 or 1), every price change ("Netflix went from 12.99 to 13.99 on
2025-06-03"), the next expected date, and whether it still runs: it has ended when
the next payment is overdue by more than half a period (and at least the tolerance).
`schedule_proposal` turns one into an RFC 5545 rule and a transaction template.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from homeledger.insights.calc import insight_key, money, normalise_text
from homeledger.schedules.calc import Schedule, monthly_on_day, next_occurrence

MIN_OCCURRENCES = 3
TOLERANCE_DAYS = 3
WEEKLY_TOLERANCE_DAYS = 2
MAX_VARIATION = 0.25
CLUSTER_GAP = 1.3
KIND = "subscription"


class Cadence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


PER_YEAR = {Cadence.WEEKLY: 52, Cadence.MONTHLY: 12, Cadence.QUARTERLY: 4, Cadence.YEARLY: 1}
_MONTHS = {Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.YEARLY: 12}
_NOMINAL_DAYS = {Cadence.WEEKLY: 7, Cadence.MONTHLY: 30, Cadence.QUARTERLY: 91, Cadence.YEARLY: 365}
_MEDIAN_GAPS = (
    (Cadence.WEEKLY, 5, 9),
    (Cadence.MONTHLY, 25, 35),
    (Cadence.QUARTERLY, 80, 100),
    (Cadence.YEARLY, 350, 380),
)
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
LAST_DAY = 31
"""The anchor of payments on the last day of each month."""


@dataclass(frozen=True, slots=True)
class Charge:
    """An outgoing payment (transfers between own accounts are not charges)."""

    transaction_id: str
    date: dt.date
    payee: str
    amount_minor: int
    """Positive: the money that left."""
    currency: str
    account_id: str | None = None
    category_id: str | None = None


@dataclass(frozen=True, slots=True)
class PriceChange:
    date: dt.date
    old_minor: int
    new_minor: int


@dataclass(frozen=True, slots=True)
class Recurring:
    key: str
    payee: str
    """As the latest payment names it."""
    currency: str
    cadence: Cadence
    day: int
    """Day of the month (31: the last day), or ISO weekday 1-7 for weekly ones."""
    occurrences: int
    first_date: dt.date
    last_date: dt.date
    amount_minor: int
    """The current amount (see the module docstring)."""
    fixed: bool
    """True when the amount is exact but for price changes; False when it varies."""
    variation: float
    """Coefficient of variation of the amounts (0 for an exact amount)."""
    yearly_cost_minor: int
    price_changes: tuple[PriceChange, ...]
    next_expected: dt.date | None
    """None once it has ended."""
    active: bool
    account_id: str | None
    category_id: str | None
    transaction_ids: tuple[str, ...]
    title: str
    why: str


def _month_add(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _on_day(year: int, month: int, anchor: int) -> dt.date:
    return dt.date(year, month, min(anchor, calendar.monthrange(year, month)[1]))


def _nominal_after(nominal: dt.date, cadence: Cadence, anchor: int, periods: int = 1) -> dt.date:
    if cadence is Cadence.WEEKLY:
        return nominal + dt.timedelta(days=7 * periods)
    year, month = _month_add(nominal.year, nominal.month, _MONTHS[cadence] * periods)
    return _on_day(year, month, anchor)


def _first_nominal(first: dt.date, cadence: Cadence, anchor: int) -> dt.date:
    """The nominal date nearest to the first payment."""
    if cadence is Cadence.WEEKLY:
        return first
    options = [_on_day(*_month_add(first.year, first.month, shift), anchor) for shift in (-1, 0, 1)]
    return min(options, key=lambda d: abs((d - first).days))


def _cadence(dates: Sequence[dt.date]) -> Cadence | None:
    gap = statistics.median((b - a).days for a, b in itertools.pairwise(dates))
    return next((c for c, low, high in _MEDIAN_GAPS if low <= gap <= high), None)


def _deviation(day: dt.date, anchor: int) -> int:
    """Days between `day` and the nearest date on `anchor` (this, last or next month)."""
    return min(
        abs((_on_day(*_month_add(day.year, day.month, shift), anchor) - day).days)
        for shift in (-1, 0, 1)
    )


def _anchor(dates: Sequence[dt.date], cadence: Cadence) -> int:
    """The nominal day: for weekly ones the commonest weekday; otherwise the day of the
    month (31: the last day) that the payments stray from least (the largest
    deviation, then the total)."""
    if cadence is Cadence.WEEKLY:
        return Counter(d.isoweekday() for d in dates).most_common(1)[0][0]

    def spread(anchor: int) -> tuple[int, int, int]:
        deviations = [_deviation(d, anchor) for d in dates]
        return (max(deviations), sum(deviations), anchor)

    return min(range(1, LAST_DAY + 1), key=spread)


def _fits(dates: Sequence[dt.date], cadence: Cadence, anchor: int) -> dt.date | None:
    """The last nominal date when every payment keeps to the cadence, else None."""
    tolerance = WEEKLY_TOLERANCE_DAYS if cadence is Cadence.WEEKLY else TOLERANCE_DAYS
    nominal = _first_nominal(dates[0], cadence, anchor)
    if abs((dates[0] - nominal).days) > tolerance:
        return None
    missed = on_time = 0
    for actual in dates[1:]:
        for periods in (1, 2):
            candidate = _nominal_after(nominal, cadence, anchor, periods)
            if abs((actual - candidate).days) <= tolerance:
                nominal = candidate
                missed += periods - 1
                on_time += periods == 1
                break
        else:
            return None
    if on_time < MIN_OCCURRENCES - 1 or missed * 4 > len(dates):
        return None
    return nominal


def _price_changes(amounts: Sequence[int], dates: Sequence[dt.date]) -> list[PriceChange] | None:
    """The lasting changes of an amount that is otherwise exact, or None when it varies."""
    changes = [
        PriceChange(dates[i], amounts[i - 1], amounts[i])
        for i in range(1, len(amounts))
        if amounts[i] != amounts[i - 1]
    ]
    if len(changes) * 3 > len(amounts):
        return None
    # Each new price must hold (be paid again), unless it is the latest payment.
    for change in changes:
        index = dates.index(change.date)
        if index + 1 < len(amounts) and amounts[index + 1] != amounts[index]:
            return None
    return changes


def _clusters(charges: Sequence[Charge]) -> list[list[Charge]]:
    ordered = sorted(charges, key=lambda c: (c.amount_minor, c.date))
    clusters: list[list[Charge]] = [[ordered[0]]]
    for charge in ordered[1:]:
        previous = clusters[-1][-1].amount_minor
        if previous > 0 and charge.amount_minor > previous * CLUSTER_GAP:
            clusters.append([])
        clusters[-1].append(charge)
    return clusters


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v is not None)
    return counts.most_common(1)[0][0] if counts else None


def _describe_day(cadence: Cadence, day: int) -> str:
    if cadence is Cadence.WEEKLY:
        return f"on {calendar.day_name[day - 1]}s"
    if day == LAST_DAY:
        return "on the last day of the month"
    return f"on about the {day}{_ordinal(day)}"


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _series(charges: Sequence[Charge], today: dt.date, subject: str) -> Recurring | None:
    # One payment a day: a charge taken twice the same day does not hide the series.
    by_day: dict[dt.date, Charge] = {}
    for charge in sorted(charges, key=lambda c: (c.date, c.transaction_id)):
        by_day.setdefault(charge.date, charge)
    charges = list(by_day.values())
    if len(charges) < MIN_OCCURRENCES:
        return None
    dates = [c.date for c in charges]
    cadence = _cadence(dates)
    if cadence is None:
        return None
    anchor = _anchor(dates, cadence)
    last_nominal = _fits(dates, cadence, anchor)
    if last_nominal is None:
        return None
    amounts = [c.amount_minor for c in charges]
    mean = statistics.fmean(amounts)
    variation = statistics.pstdev(amounts) / mean if mean > 0 else 0.0
    changes = _price_changes(amounts, dates)
    if changes is None and variation > MAX_VARIATION:
        return None
    fixed = changes is not None
    per_year = PER_YEAR[cadence]
    current = amounts[-1] if fixed else round(statistics.median(amounts[-per_year:]))
    upcoming = _nominal_after(last_nominal, cadence, anchor)
    tolerance = WEEKLY_TOLERANCE_DAYS if cadence is Cadence.WEEKLY else TOLERANCE_DAYS
    grace = max(tolerance, _NOMINAL_DAYS[cadence] // 2)
    active = today <= upcoming + dt.timedelta(days=grace)
    latest = charges[-1]
    currency = latest.currency
    name = latest.payee
    when = _describe_day(cadence, anchor)
    if fixed and changes:
        amount_text = f"now {money(current, currency)}"
    elif fixed:
        amount_text = f"always {money(current, currency)}"
    else:
        amount_text = f"amounts vary by {variation:.0%} around {money(current, currency)} (median)"
    why = (
        f"{len(charges)} {cadence.value} payments to {name} {when} since "
        f"{dates[0].isoformat()}, {amount_text}."
    )
    for change in changes or []:
        why += (
            f" {name} went from {money(change.old_minor, currency)} to "
            f"{money(change.new_minor, currency)} on {change.date.isoformat()}."
        )
    if not active:
        why += (
            f" The payment expected on {upcoming.isoformat()} has not come: it seems to have ended."
        )
    yearly = current * per_year
    return Recurring(
        key=insight_key(KIND, subject, cadence.value),
        payee=name,
        currency=currency,
        cadence=cadence,
        day=anchor,
        occurrences=len(charges),
        first_date=dates[0],
        last_date=dates[-1],
        amount_minor=current,
        fixed=fixed,
        variation=round(variation, 4),
        yearly_cost_minor=yearly,
        price_changes=tuple(changes or ()),
        next_expected=upcoming if active else None,
        active=active,
        account_id=_most_common(c.account_id for c in charges),
        category_id=_most_common(c.category_id for c in charges),
        transaction_ids=tuple(c.transaction_id for c in charges),
        title=(
            f"{name}: {money(current, currency)} {cadence.value}, {money(yearly, currency)} a year"
        ),
        why=why,
    )


def detect(charges: Iterable[Charge], today: dt.date) -> list[Recurring]:
    """Every recurring series in `charges`: active ones first, then by yearly cost."""
    groups: dict[tuple[str, str], list[Charge]] = defaultdict(list)
    for charge in charges:
        if charge.amount_minor <= 0 or charge.date > today:
            continue
        payee = normalise_text(charge.payee)
        if payee:
            groups[(payee, charge.currency)].append(charge)
    found: list[Recurring] = []
    for (payee, currency), group in groups.items():
        if len(group) < MIN_OCCURRENCES:
            continue
        subject = f"{payee}\x1f{currency}"
        whole = _series(group, today, subject)
        if whole is not None:
            found.append(whole)
            continue
        parts = [c for c in _clusters(group) if len(c) >= MIN_OCCURRENCES]
        for part in parts:
            smallest = min(c.amount_minor for c in part)
            series = _series(part, today, f"{subject}\x1f{smallest}" if len(parts) > 1 else subject)
            if series is not None:
                found.append(series)
    return sorted(found, key=lambda r: (not r.active, -r.yearly_cost_minor, r.payee, r.key))


# Turning one into a schedule


@dataclass(frozen=True, slots=True)
class ScheduleProposal:
    """What a schedule made from a recurring charge would be (not saved)."""

    rule: str
    """RFC 5545 RRULE body, e.g. FREQ=MONTHLY;BYMONTHDAY=3."""
    start: dt.date
    """DTSTART: the next expected payment (or the next one after `today` for an
    ended charge)."""
    amount_minor: int
    """Signed as it hits the account: negative, a payment."""
    currency: str
    account_id: str | None
    category_id: str | None
    payee: str
    label: str


def schedule_rule(item: Recurring, start: dt.date) -> str:
    if item.cadence is Cadence.WEEKLY:
        return f"FREQ=WEEKLY;BYDAY={_WEEKDAYS[start.weekday()]}"
    day_rule = monthly_on_day(item.day)  # clamps the 29th-31st to short months
    if item.cadence is Cadence.MONTHLY:
        return day_rule
    if item.cadence is Cadence.QUARTERLY:
        return day_rule.replace("FREQ=MONTHLY;", "FREQ=MONTHLY;INTERVAL=3;")
    return day_rule.replace("FREQ=MONTHLY;", f"FREQ=YEARLY;BYMONTH={start.month};")


def schedule_proposal(item: Recurring, today: dt.date) -> ScheduleProposal:
    """The RFC 5545 rule and template of a schedule for `item`, checked by expanding
    it with the schedules module: its first occurrence is `start`."""
    start = item.next_expected
    if start is None:
        nominal = item.last_date
        while nominal <= today:
            nominal = _nominal_after(nominal, item.cadence, item.day)
        start = nominal
    if item.cadence is not Cadence.WEEKLY:
        start = _on_day(start.year, start.month, item.day)
    rule = schedule_rule(item, start)
    schedule = Schedule(
        id="proposal",
        rule=rule,
        start=start,
        amount_minor=-item.amount_minor,
        currency=item.currency,
        account=item.account_id or "",
    )
    first = next_occurrence(schedule, start - dt.timedelta(days=1))
    if first != start:  # a bug here would post on the wrong days: refuse loudly
        raise ValueError(f"rule {rule} from {start} first occurs on {first}")
    return ScheduleProposal(
        rule=rule,
        start=start,
        amount_minor=-item.amount_minor,
        currency=item.currency,
        account_id=item.account_id,
        category_id=item.category_id,
        payee=item.payee,
        label=f"{item.payee} ({item.cadence.value})",
    )
