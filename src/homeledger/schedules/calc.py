"""Recurring transactions and bills: expanding schedules, what is due, matching bills.

Schedules
---------
A `Schedule` repeats by an RFC 5545 recurrence rule (the text after ``RRULE:``,
e.g. ``FREQ=MONTHLY;BYMONTHDAY=1``), expanded by python-dateutil from ``start``
(DTSTART). It ends on ``until`` (the last day an occurrence may fall on, inclusive
as RFC 5545's UNTIL) or after ``count`` occurrences, or never; the end may be
written in the rule or in the fields, not both. Only dates matter: rules finer than
daily are refused. As in dateutil, ``start`` is an occurrence only if it matches the
rule ("monthly on the 1st" starting on the 10th first occurs on the next 1st).

Helpers write the common rules: `monthly_on_day` (clamped to the month's last day,
so "the 31st" is 30 April and 28/29 February, which a bare ``BYMONTHDAY=31`` would
skip), `every_n_weeks`, and `LAST_BUSINESS_DAY` (the last Monday-to-Friday of
the month).

Idempotent posting
------------------
An occurrence is identified by its schedule and its date. A `ScheduleState` records
a high-water mark (``last_posted``: every occurrence up to it is done) and the dates
done after it. `plan_run` lists the occurrences due up to today that are neither
behind the mark nor among the done dates, so posting the plan and running again
plans nothing; a job that died halfway re-plans only what it did not finish.
Auto-post schedules are posted with their own dates even when the job catches up
late; remind schedules produce reminders for today and list earlier unhandled
occurrences as missed.

Bills
-----
A `Bill` is a schedule with an expected amount range (signed like the transaction:
a bill paid from a checking account is negative, ``min_minor <= amount <=
max_minor``), a payee and a window of days around each occurrence. A transaction
matches an occurrence when its currency is the bill's, its amount is in range, its
date is in the window and its payee is similar enough (`payee_similarity`). Each
transaction pays at most one occurrence and each occurrence takes at most one
transaction; the closest date wins, then the more similar payee. An occurrence whose
window has passed without a match is flagged `BillStatus.MISSED`.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from difflib import SequenceMatcher
from fractions import Fraction

from dateutil.rrule import rrule, rrulestr

MONTHLY_ON_FIRST = "FREQ=MONTHLY;BYMONTHDAY=1"
LAST_BUSINESS_DAY = "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
_DATE_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})
_ONE_DAY = timedelta(days=1)


def monthly_on_day(day: int) -> str:
    """Monthly on ``day``, or on the month's last day when it is shorter."""
    if not 1 <= day <= 31:
        raise ValueError(f"day must be between 1 and 31, not {day}")
    if day <= 28:
        return f"FREQ=MONTHLY;BYMONTHDAY={day}"
    # The last existing day among 28..day: 30 April for the 31st, 29 Feb in a leap year.
    days = ",".join(str(d) for d in range(28, day + 1))
    return f"FREQ=MONTHLY;BYMONTHDAY={days};BYSETPOS=-1"


def every_n_weeks(weeks: int = 2) -> str:
    """Every ``weeks`` weeks on the start date's weekday."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, not {weeks}")
    return f"FREQ=WEEKLY;INTERVAL={weeks}"


def _rule_parts(rule: str) -> dict[str, str]:
    body = rule.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    parts: dict[str, str] = {}
    for part in body.split(";"):
        name, _, value = part.partition("=")
        parts[name.strip().upper()] = value.strip().upper()
    return parts


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


@functools.lru_cache(maxsize=1024)
def _recurrence(rule: str, start: date, until: date | None, count: int | None) -> rrule:
    parts = _rule_parts(rule)
    if "\n" in rule or "DTSTART" in rule.upper():
        raise ValueError("give one RRULE body; the start date is a field of its own")
    if parts.get("FREQ") not in _DATE_FREQUENCIES:
        raise ValueError(f"the rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY: {rule!r}")
    ends: list[str] = [name for name in ("UNTIL", "COUNT") if name in parts]
    ends += [name for name, value in (("until", until), ("count", count)) if value is not None]
    if len(ends) > 1:
        raise ValueError(f"a schedule ends by date or by count, once: got {', '.join(ends)}")
    parsed = rrulestr(rule, dtstart=_midnight(start))
    if not isinstance(parsed, rrule):
        raise ValueError(f"one recurrence rule expected: {rule!r}")
    if until is not None:
        return parsed.replace(until=_midnight(until))
    if count is not None:
        return parsed.replace(count=count)
    return parsed


class ScheduleMode(enum.Enum):
    AUTO_POST = "auto-post"
    """The job posts each occurrence as it falls due."""
    REMIND = "remind"
    """The user is reminded and posts (or skips) it."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """A recurring transaction: when it happens and what it moves.

    ``amount_minor`` is signed as it hits ``account`` (an outgoing payment is
    negative). ``counter_account``, for a transfer between two of the household's
    own accounts, receives the opposite amount; leave it out for income or spending.
    """

    id: str
    rule: str
    start: date
    amount_minor: int
    currency: str
    account: str = ""
    counter_account: str | None = None
    until: date | None = None
    count: int | None = None
    mode: ScheduleMode = ScheduleMode.AUTO_POST
    label: str = ""

    def __post_init__(self) -> None:
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1")
        if self.until is not None and self.until < self.start:
            raise ValueError("a schedule cannot end before it starts")
        self.recurrence()  # refuse a bad rule when the schedule is made, not when run

    def recurrence(self) -> rrule:
        return _recurrence(self.rule, self.start, self.until, self.count)

    def occurrence(self, on: date) -> Occurrence:
        return Occurrence(on, self.id, self.amount_minor, self.currency)


@dataclass(frozen=True, slots=True, order=True)
class Occurrence:
    """One occurrence of a schedule; (schedule_id, on) is its identity."""

    on: date
    schedule_id: str
    amount_minor: int
    currency: str

    @property
    def key(self) -> tuple[str, date]:
        return (self.schedule_id, self.on)


def occurrences(schedule: Schedule, start: date, end: date) -> list[date]:
    """Occurrence dates in the half-open range ``[start, end)``, in order."""
    if end <= start:
        return []
    found = schedule.recurrence().between(_midnight(start), _midnight(end), inc=True)
    return [moment.date() for moment in found if moment.date() < end]


def next_occurrence(schedule: Schedule, after: date) -> date | None:
    """The first occurrence strictly after ``after``, if the schedule has one."""
    moment = schedule.recurrence().after(_midnight(after), inc=False)
    return moment.date() if moment is not None else None


@dataclass(frozen=True, slots=True)
class ScheduleState:
    """What has been done with a schedule's occurrences."""

    last_posted: date | None = None
    """High-water mark: every occurrence on or before it is done."""
    done: frozenset[date] = frozenset()
    """Occurrence dates after the mark that are done (posted, paid or skipped)."""


def pending(schedule: Schedule, state: ScheduleState, today: date) -> list[Occurrence]:
    """Occurrences on or before ``today`` that are not done, oldest first."""
    start = schedule.start if state.last_posted is None else state.last_posted + _ONE_DAY
    return [
        schedule.occurrence(on)
        for on in occurrences(schedule, start, today + _ONE_DAY)
        if on not in state.done
    ]


def mark_done(schedule: Schedule, state: ScheduleState, dates: Iterable[date]) -> ScheduleState:
    """The state after ``dates`` are done; the mark moves up over every finished run.

    The mark only passes occurrences that are all done, so an older reminder left
    unhandled keeps the mark below it and stays listed.
    """
    done = set(state.done) | set(dates)
    if not done:
        return state
    mark = state.last_posted
    start = schedule.start if mark is None else mark + _ONE_DAY
    for on in occurrences(schedule, start, max(done) + _ONE_DAY):
        if on not in done:
            break
        mark = on
    if mark is not None:
        done = {day for day in done if day > mark}
    return ScheduleState(last_posted=mark, done=frozenset(done))


@dataclass(frozen=True, slots=True)
class RunPlan:
    """What a scheduler run should do and show."""

    to_post: tuple[Occurrence, ...]
    """Auto-post occurrences due on or before today and not yet posted."""
    reminders: tuple[Occurrence, ...]
    """Remind occurrences falling today."""
    missed: tuple[Occurrence, ...]
    """Remind occurrences before today that nobody handled."""
    upcoming: tuple[Occurrence, ...]
    """Every schedule's occurrences after today, within the horizon."""


def plan_run(
    schedules: Iterable[Schedule],
    states: Mapping[str, ScheduleState],
    today: date,
    *,
    horizon_days: int = 14,
) -> RunPlan:
    """Sort each schedule's occurrences into post / remind / missed / upcoming."""
    to_post: list[Occurrence] = []
    reminders: list[Occurrence] = []
    missed: list[Occurrence] = []
    upcoming: list[Occurrence] = []
    horizon_end = today + timedelta(days=horizon_days + 1)
    for schedule in schedules:
        state = states.get(schedule.id, ScheduleState())
        due = pending(schedule, state, today)
        if schedule.mode is ScheduleMode.AUTO_POST:
            to_post.extend(due)
        else:
            reminders.extend(o for o in due if o.on == today)
            missed.extend(o for o in due if o.on < today)
        upcoming.extend(
            schedule.occurrence(on)
            for on in occurrences(schedule, today + _ONE_DAY, horizon_end)
            if on not in state.done
        )
    return RunPlan(
        to_post=tuple(sorted(to_post)),
        reminders=tuple(sorted(reminders)),
        missed=tuple(sorted(missed)),
        upcoming=tuple(sorted(upcoming)),
    )


# --- bills ----------------------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")


def normalise_payee(payee: str) -> str:
    """Case-folded words: "PAYPAL *Netflix.com" -> "paypal netflix com"."""
    return " ".join(_NON_WORD.sub(" ", payee.casefold()).split())


def payee_similarity(expected: str, actual: str) -> Fraction:
    """How alike two payee texts are, from 0 to 1 (exact fraction, no float).

    1 when every word of ``expected`` occurs in ``actual`` (bank texts wrap the name:
    "Netflix" in "PAYPAL *NETFLIX.COM 4029357733"); otherwise difflib's ratio
    ``2 * matched characters / total characters``. An empty ``expected`` matches any
    payee.
    """
    wanted = normalise_payee(expected)
    seen = normalise_payee(actual)
    if not wanted:
        return Fraction(1)
    if all(word in seen for word in wanted.split()):
        return Fraction(1)
    total = len(wanted) + len(seen)
    matcher = SequenceMatcher(None, wanted, seen, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return Fraction(2 * matched, total)


@dataclass(frozen=True, slots=True)
class Bill:
    """A schedule expected to be paid by a transaction that the import brings in."""

    schedule: Schedule
    payee: str
    min_minor: int
    max_minor: int
    days_before: int = 3
    days_after: int = 5
    min_similarity: Fraction = field(default=Fraction(3, 5))

    def __post_init__(self) -> None:
        if self.min_minor > self.max_minor:
            raise ValueError("the smallest expected amount exceeds the largest")
        if self.days_before < 0 or self.days_after < 0:
            raise ValueError("a bill's window cannot be negative")
        if not 0 <= self.min_similarity <= 1:
            raise ValueError("min_similarity is between 0 and 1")

    def window(self, on: date) -> tuple[date, date]:
        """Half-open ``[first, end)`` range of days in which a payment counts."""
        return (on - timedelta(days=self.days_before), on + timedelta(days=self.days_after + 1))


@dataclass(frozen=True, slots=True)
class BankTransaction:
    """A transaction as the matcher sees it (amount signed as on the account)."""

    id: str
    on: date
    amount_minor: int
    currency: str
    payee: str


class BillStatus(enum.Enum):
    PAID = "paid"
    DUE = "due"
    """The window is open and nothing has matched yet."""
    MISSED = "missed"
    """The window closed without a matching transaction."""


@dataclass(frozen=True, slots=True)
class BillOccurrence:
    bill_id: str
    on: date
    status: BillStatus
    transaction_id: str | None = None
    similarity: Fraction | None = None


def bill_candidate(bill: Bill, on: date, transaction: BankTransaction) -> Fraction | None:
    """The payee similarity if ``transaction`` can pay the occurrence ``on``, else None."""
    first, end = bill.window(on)
    if transaction.currency != bill.schedule.currency:
        return None
    if not bill.min_minor <= transaction.amount_minor <= bill.max_minor:
        return None
    if not first <= transaction.on < end:
        return None
    similarity = payee_similarity(bill.payee, transaction.payee)
    return similarity if similarity >= bill.min_similarity else None


def match_bill(
    bill: Bill,
    transactions: Sequence[BankTransaction],
    since: date,
    today: date,
    *,
    linked: Mapping[date, str] | None = None,
) -> list[BillOccurrence]:
    """The status of every occurrence from ``since`` whose window has opened by today.

    ``linked`` holds matches made earlier (occurrence date -> transaction id); they
    stay paid, and their transactions are not offered to other occurrences. Pass the
    transactions around the period (already linked ones may be included).
    """
    linked = dict(linked or {})
    # Occurrences whose window has opened: on - days_before <= today.
    last = today + timedelta(days=bill.days_before)
    dates = occurrences(bill.schedule, since, last + _ONE_DAY)
    used = set(linked.values())
    open_dates = [on for on in dates if on not in linked]
    candidates: list[tuple[int, Fraction, date, str, date, BankTransaction]] = []
    for on in open_dates:
        for transaction in transactions:
            if transaction.id in used:
                continue
            similarity = bill_candidate(bill, on, transaction)
            if similarity is not None:
                distance = abs((transaction.on - on).days)
                candidates.append(
                    (distance, -similarity, transaction.on, transaction.id, on, transaction)
                )
    candidates.sort(key=lambda c: c[:5])
    matched: dict[date, tuple[str, Fraction]] = {}
    for _, negative_similarity, _, transaction_id, on, _ in candidates:
        if on in matched or transaction_id in used:
            continue
        matched[on] = (transaction_id, -negative_similarity)
        used.add(transaction_id)

    statuses: list[BillOccurrence] = []
    for on in dates:
        if on in linked:
            statuses.append(BillOccurrence(bill.schedule.id, on, BillStatus.PAID, linked[on]))
        elif on in matched:
            transaction_id, similarity = matched[on]
            statuses.append(
                BillOccurrence(bill.schedule.id, on, BillStatus.PAID, transaction_id, similarity)
            )
        else:
            closed = bill.window(on)[1] <= today
            status = BillStatus.MISSED if closed else BillStatus.DUE
            statuses.append(BillOccurrence(bill.schedule.id, on, status))
    return statuses


def missed_bills(
    bills: Iterable[Bill],
    transactions: Sequence[BankTransaction],
    since: date,
    today: date,
    *,
    linked: Mapping[str, Mapping[date, str]] | None = None,
) -> list[BillOccurrence]:
    """Every bill occurrence since ``since`` whose window closed with no payment."""
    linked = linked or {}
    flagged: list[BillOccurrence] = []
    for bill in bills:
        flagged.extend(
            status
            for status in match_bill(
                bill, transactions, since, today, linked=linked.get(bill.schedule.id)
            )
            if status.status is BillStatus.MISSED
        )
    return sorted(flagged, key=lambda status: (status.on, status.bill_id))
