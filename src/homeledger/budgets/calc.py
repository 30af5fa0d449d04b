"""Budget arithmetic for one period at a time: envelope budgets, tracking budgets, alerts.

All amounts are integer minor units of the budget's currency (the household's base
currency). Spending in other currencies is converted at the rate of each
transaction's date before it enters a budget (`activity_by_category`). Periods come
from `homeledger.budgets.periods`.

Envelope (zero-based) budgets
-----------------------------
Every category is an envelope. In each period, per category::

    carried_in = the category's available at the end of the previous period
    assigned   = money the user gives the category this period (negative takes back)
    moved      = moves from other categories minus moves to other categories
    activity   = the category's transactions, signed: spending < 0, refunds > 0
    available  = carried_in + assigned + moved + activity

Rollover: what is left (``available``) is the next period's ``carried_in``, whatever
its sign. A negative ``available`` is overspending; it follows the category into the
next period, so that period's assignment first fills the hole. To cover it now
instead, move money from another category (`cover_overspending` builds the `Move`);
moves shift money between envelopes and change no total.

Income is not given to categories: it lands in "ready to assign"::

    ready_to_assign = previous ready_to_assign + income - total assigned this period

Negative ready-to-assign means more was assigned than received. Because every term
is carried forward, this holds at the end of every period (money is conserved)::

    sum(available) + ready_to_assign == total income - total net spending, to date

Tracking budgets
----------------
For those who want limits, not envelopes: per category a ``limit`` and what was
``spent`` (net of refunds) give ``remaining = limit + carried_in - spent``. Nothing
rolls over unless the category asks: `Rollover.SURPLUS` carries only what is left,
`Rollover.ALL` also carries an overrun (a smaller allowance next period).

Alerts
------
A category reaches a threshold (80 % and 100 % by default) when
``spent * 100 >= threshold * budget`` with something spent; the budget is the
envelope's funding (``carried_in + assigned + moved``) or the tracking allowance
(``limit + carried_in``). Spending against a budget of zero or less reaches every
threshold at once. Integer arithmetic only: 80 % of 0.05 is not rounded.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from homeledger.budgets.periods import Period
from homeledger.fx.calc import RateSource, convert_on

DEFAULT_THRESHOLDS: tuple[int, ...] = (80, 100)
"""Alert thresholds, in percent of the budget."""


def _check_unique(names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} '{name}' appears twice")
        seen.add(name)


def _check_chain(
    previous_period: Period, previous_currency: str, data_period: Period, data_currency: str
) -> None:
    if previous_currency != data_currency:
        raise ValueError(f"cannot carry {previous_currency} into a {data_currency} budget")
    if previous_period.end != data_period.start:
        # A silent gap would drop that gap's income and spending from the totals.
        raise ValueError(
            f"period {data_period.start}..{data_period.end} does not follow "
            f"{previous_period.start}..{previous_period.end}"
        )


# --- activity in the budget's currency ---------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryPosting:
    """One posting to a category, in the currency it happened in."""

    category: str
    on: date
    amount_minor: int
    """Signed: spending < 0, refunds > 0."""
    currency: str


def activity_by_category(
    postings: Iterable[CategoryPosting],
    currency: str,
    sources: Sequence[RateSource],
    *,
    pivot: str | None = None,
) -> dict[str, int]:
    """Signed activity per category in the budget's ``currency``.

    Each posting in another currency is converted on its own, at the rate of its
    own date (`homeledger.fx.calc.convert_on`: latest rate on or before the day,
    half-even to the minor unit), so a category's activity is the sum of figures the
    user can see next to each transaction. Raises `RateNotFoundError` if a rate is
    missing rather than leaving the posting out.
    """
    totals: dict[str, int] = {}
    for posting in postings:
        amount = posting.amount_minor
        if posting.currency != currency:
            amount = convert_on(
                amount, posting.currency, currency, posting.on, sources, pivot=pivot
            ).amount_minor
        totals[posting.category] = totals.get(posting.category, 0) + amount
    return totals


# --- envelope budgets ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CategoryActivity:
    """What happened to one category in one period (envelope mode)."""

    category: str
    assigned_minor: int = 0
    activity_minor: int = 0
    """Signed sum of the category's transactions: spending < 0, refunds > 0."""


@dataclass(frozen=True, slots=True)
class Move:
    """Money moved from one category's envelope to another's within a period."""

    source: str
    target: str
    amount_minor: int

    def __post_init__(self) -> None:
        if self.amount_minor <= 0:
            raise ValueError("a move must carry a positive amount")
        if self.source == self.target:
            raise ValueError("a move needs two different categories")


@dataclass(frozen=True, slots=True)
class EnvelopeInput:
    """One period of an envelope budget, as the ledger and the user describe it."""

    period: Period
    currency: str
    income_minor: int = 0
    """Income received in the period (goes to ready-to-assign)."""
    categories: tuple[CategoryActivity, ...] = ()
    moves: tuple[Move, ...] = ()

    def __post_init__(self) -> None:
        _check_unique((c.category for c in self.categories), "category")


@dataclass(frozen=True, slots=True)
class EnvelopeLine:
    """One category's envelope at the end of a period."""

    category: str
    carried_in_minor: int
    assigned_minor: int
    moved_minor: int
    activity_minor: int
    available_minor: int

    @property
    def funded_minor(self) -> int:
        """What the category had to spend this period: carried in, assigned, moved."""
        return self.carried_in_minor + self.assigned_minor + self.moved_minor

    @property
    def spent_minor(self) -> int:
        """Net spending (refunds deducted); negative when refunds exceed spending."""
        return -self.activity_minor

    @property
    def overspent_minor(self) -> int:
        return max(0, -self.available_minor)


@dataclass(frozen=True, slots=True)
class EnvelopePeriod:
    """An envelope budget at the end of one period; the next period carries from it."""

    period: Period
    currency: str
    income_minor: int
    ready_to_assign_carried_in_minor: int
    assigned_minor: int
    """Total assigned this period, over all categories."""
    ready_to_assign_minor: int
    lines: tuple[EnvelopeLine, ...]
    """One line per category, sorted by name."""

    def line(self, category: str) -> EnvelopeLine:
        for line in self.lines:
            if line.category == category:
                return line
        raise KeyError(category)

    def available_in(self, category: str) -> int:
        """A category's available, 0 for a category the budget has never seen."""
        for line in self.lines:
            if line.category == category:
                return line.available_minor
        return 0

    @property
    def available_minor(self) -> int:
        return sum(line.available_minor for line in self.lines)

    @property
    def activity_minor(self) -> int:
        return sum(line.activity_minor for line in self.lines)

    @property
    def overspent(self) -> tuple[EnvelopeLine, ...]:
        return tuple(line for line in self.lines if line.available_minor < 0)


def envelope_period(data: EnvelopeInput, previous: EnvelopePeriod | None = None) -> EnvelopePeriod:
    """Close one period of an envelope budget, carrying from ``previous`` if given."""
    carried: dict[str, int] = {}
    ready_carried = 0
    if previous is not None:
        _check_chain(previous.period, previous.currency, data.period, data.currency)
        carried = {line.category: line.available_minor for line in previous.lines}
        ready_carried = previous.ready_to_assign_minor

    moved: dict[str, int] = {}
    for move in data.moves:
        moved[move.source] = moved.get(move.source, 0) - move.amount_minor
        moved[move.target] = moved.get(move.target, 0) + move.amount_minor

    activity = {c.category: c for c in data.categories}
    # A category with nothing this period still shows, so its carry is not lost.
    names = sorted(set(carried) | set(moved) | set(activity))
    lines: list[EnvelopeLine] = []
    for name in names:
        entry = activity.get(name, CategoryActivity(name))
        carried_in = carried.get(name, 0)
        net_moved = moved.get(name, 0)
        lines.append(
            EnvelopeLine(
                category=name,
                carried_in_minor=carried_in,
                assigned_minor=entry.assigned_minor,
                moved_minor=net_moved,
                activity_minor=entry.activity_minor,
                available_minor=carried_in
                + entry.assigned_minor
                + net_moved
                + entry.activity_minor,
            )
        )
    assigned = sum(c.assigned_minor for c in data.categories)
    return EnvelopePeriod(
        period=data.period,
        currency=data.currency,
        income_minor=data.income_minor,
        ready_to_assign_carried_in_minor=ready_carried,
        assigned_minor=assigned,
        ready_to_assign_minor=ready_carried + data.income_minor - assigned,
        lines=tuple(lines),
    )


def envelope_periods(
    inputs: Sequence[EnvelopeInput], previous: EnvelopePeriod | None = None
) -> list[EnvelopePeriod]:
    """Close consecutive periods in order, each carrying into the next."""
    closed: list[EnvelopePeriod] = []
    for data in inputs:
        previous = envelope_period(data, previous)
        closed.append(previous)
    return closed


def cover_overspending(
    budget: EnvelopePeriod,
    overspent: str,
    source: str,
    *,
    amount_minor: int | None = None,
) -> Move:
    """The `Move` that covers ``overspent``'s deficit from ``source``'s envelope.

    Moves the whole deficit (or ``amount_minor``, if smaller), but never more than
    ``source`` has available, so covering one category never overspends another;
    call again with another source for the rest. Add the move to the period's
    `EnvelopeInput.moves` and close the period again to see the effect.
    """
    deficit = max(0, -budget.available_in(overspent))
    if deficit == 0:
        raise ValueError(f"'{overspent}' is not overspent")
    if overspent == source:
        raise ValueError("a category cannot cover itself")
    wanted = deficit if amount_minor is None else min(deficit, amount_minor)
    amount = min(wanted, budget.available_in(source))
    if amount <= 0:
        raise ValueError(f"'{source}' has nothing available to move")
    return Move(source=source, target=overspent, amount_minor=amount)


# --- tracking budgets ---------------------------------------------------------------


class Rollover(enum.Enum):
    """What a tracking category carries into the next period."""

    NONE = "none"
    SURPLUS = "surplus"
    """Only what is left under the limit."""
    ALL = "all"
    """What is left, or the overrun (as a negative carry)."""

    def carry(self, remaining_minor: int) -> int:
        if self is Rollover.NONE:
            return 0
        if self is Rollover.SURPLUS:
            return max(0, remaining_minor)
        return remaining_minor


@dataclass(frozen=True, slots=True)
class TrackingCategory:
    """One category's limit and spending in one period (tracking mode)."""

    category: str
    limit_minor: int
    spent_minor: int = 0
    """Net spending: outflows minus refunds."""
    rollover: Rollover = Rollover.NONE

    def __post_init__(self) -> None:
        if self.limit_minor < 0:
            raise ValueError(f"the limit of '{self.category}' cannot be negative")


@dataclass(frozen=True, slots=True)
class TrackingInput:
    period: Period
    currency: str
    categories: tuple[TrackingCategory, ...] = ()

    def __post_init__(self) -> None:
        _check_unique((c.category for c in self.categories), "category")


@dataclass(frozen=True, slots=True)
class TrackingLine:
    category: str
    limit_minor: int
    carried_in_minor: int
    spent_minor: int
    remaining_minor: int
    rollover: Rollover

    @property
    def allowance_minor(self) -> int:
        """What may be spent this period: the limit plus what rolled over."""
        return self.limit_minor + self.carried_in_minor

    @property
    def carried_out_minor(self) -> int:
        return self.rollover.carry(self.remaining_minor)


@dataclass(frozen=True, slots=True)
class TrackingPeriod:
    period: Period
    currency: str
    lines: tuple[TrackingLine, ...]
    """One line per category, sorted by name."""

    def line(self, category: str) -> TrackingLine:
        for line in self.lines:
            if line.category == category:
                return line
        raise KeyError(category)

    @property
    def limit_minor(self) -> int:
        return sum(line.limit_minor for line in self.lines)

    @property
    def spent_minor(self) -> int:
        return sum(line.spent_minor for line in self.lines)

    @property
    def remaining_minor(self) -> int:
        return sum(line.remaining_minor for line in self.lines)


def tracking_period(data: TrackingInput, previous: TrackingPeriod | None = None) -> TrackingPeriod:
    """Close one period of a tracking budget, carrying per each category's rollover."""
    carried: dict[str, TrackingLine] = {}
    if previous is not None:
        _check_chain(previous.period, previous.currency, data.period, data.currency)
        carried = {line.category: line for line in previous.lines if line.carried_out_minor}
    given = {c.category: c for c in data.categories}
    lines: list[TrackingLine] = []
    for name in sorted(set(given) | set(carried)):
        before = carried.get(name)
        # A category dropped from this period's limits keeps its carry (limit 0).
        entry = given.get(name)
        if entry is None:
            entry = TrackingCategory(name, 0, rollover=before.rollover if before else Rollover.NONE)
        carried_in = before.carried_out_minor if before else 0
        lines.append(
            TrackingLine(
                category=name,
                limit_minor=entry.limit_minor,
                carried_in_minor=carried_in,
                spent_minor=entry.spent_minor,
                remaining_minor=entry.limit_minor + carried_in - entry.spent_minor,
                rollover=entry.rollover,
            )
        )
    return TrackingPeriod(period=data.period, currency=data.currency, lines=tuple(lines))


def tracking_periods(
    inputs: Sequence[TrackingInput], previous: TrackingPeriod | None = None
) -> list[TrackingPeriod]:
    closed: list[TrackingPeriod] = []
    for data in inputs:
        previous = tracking_period(data, previous)
        closed.append(previous)
    return closed


# --- alerts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alert:
    """A category reached ``threshold_percent`` of its budget."""

    category: str
    threshold_percent: int
    budget_minor: int
    spent_minor: int
    """Spending when the threshold was reached."""
    on: date | None = None
    """The day it was reached, when the spending was given by day."""


def _check_thresholds(thresholds: Sequence[int]) -> None:
    if any(t <= 0 for t in thresholds):
        raise ValueError("thresholds are positive percentages")


def reached_thresholds(
    budget_minor: int, spent_minor: int, thresholds: Sequence[int] = DEFAULT_THRESHOLDS
) -> tuple[int, ...]:
    """The thresholds (percent) that ``spent_minor`` has reached, in ascending order."""
    _check_thresholds(thresholds)
    if spent_minor <= 0:
        return ()
    return tuple(sorted(t for t in thresholds if spent_minor * 100 >= t * budget_minor))


def crossed_thresholds(
    category: str,
    budget_minor: int,
    spent_before_minor: int,
    spent_after_minor: int,
    thresholds: Sequence[int] = DEFAULT_THRESHOLDS,
    *,
    on: date | None = None,
) -> list[Alert]:
    """Alerts for thresholds reached by going from ``spent_before`` to ``spent_after``.

    For a new transaction: what it pushed the category past, and nothing it did not,
    so re-running over the same transaction raises nothing twice.
    """
    before = set(reached_thresholds(budget_minor, spent_before_minor, thresholds))
    return [
        Alert(category, t, budget_minor, spent_after_minor, on)
        for t in reached_thresholds(budget_minor, spent_after_minor, thresholds)
        if t not in before
    ]


def alerts_for_spending(
    category: str,
    budget_minor: int,
    spending: Iterable[tuple[date, int]],
    thresholds: Sequence[int] = DEFAULT_THRESHOLDS,
) -> list[Alert]:
    """The first day each threshold was reached, from spending given by day.

    ``spending`` holds (day, net spending that day) pairs, refunds negative. A
    threshold left and reached again (after a refund) is reported once.
    """
    _check_thresholds(thresholds)
    alerts: list[Alert] = []
    reported: set[int] = set()
    spent = 0
    for day, amount in sorted(spending, key=lambda item: item[0]):
        before = spent
        spent += amount
        for alert in crossed_thresholds(category, budget_minor, before, spent, thresholds, on=day):
            if alert.threshold_percent not in reported:
                reported.add(alert.threshold_percent)
                alerts.append(alert)
    return alerts


def period_alerts(
    budget: EnvelopePeriod | TrackingPeriod,
    thresholds: Sequence[int] = DEFAULT_THRESHOLDS,
) -> list[Alert]:
    """Every threshold each category has reached by the end of the period."""
    alerts: list[Alert] = []
    if isinstance(budget, EnvelopePeriod):
        pairs = [(line.category, line.funded_minor, line.spent_minor) for line in budget.lines]
    else:
        pairs = [(line.category, line.allowance_minor, line.spent_minor) for line in budget.lines]
    for category, budget_minor, spent in pairs:
        alerts.extend(
            Alert(category, t, budget_minor, spent)
            for t in reached_thresholds(budget_minor, spent, thresholds)
        )
    return alerts
