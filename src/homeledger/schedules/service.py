"""Recurring transactions and bills: create and change schedules, run the posting job,
handle reminders, and match bills to the ledger's transactions.

The calculations are `schedules.calc`'s: rules expand with python-dateutil,
`plan_run` sorts occurrences into post / remind / missed / upcoming, `match_bill`
pairs bill occurrences with transactions. Posting is idempotent: each done
occurrence is a row with a unique (schedule, day), written in the same database
transaction as the ledger transaction it posts, and the schedule's ``done_through``
mark moves past every finished run of occurrences (`calc.mark_done`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from homeledger.accounts.models import Account, Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.kit.errors import InvalidInput, NotFound
from homeledger.kit.money import check_currency, format_plain, to_minor
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import calc as ledger_calc
from homeledger.ledger import service as ledger
from homeledger.ledger.errors import UnbalancedTransaction
from homeledger.ledger.schemas import PostingIn, TransactionCreate
from homeledger.schedules import calc
from homeledger.schedules.errors import OccurrenceDone
from homeledger.schedules.models import (
    OccurrenceStatus,
    Schedule,
    ScheduleOccurrence,
    SchedulePosting,
)
from homeledger.schedules.repository import ScheduleRepository
from homeledger.schedules.schemas import (
    BillRead,
    OccurrenceAction,
    OccurrenceRead,
    OccurrenceState,
    RunProblem,
    RunResult,
    ScheduleCreate,
    SchedulePostingRead,
    ScheduleRead,
)

BALANCE_SHEET = {Kind.ASSET.value, Kind.LIABILITY.value}
MAX_POSTS_PER_RUN = 1000
"""A run posts at most this many occurrences; the next run posts the rest (a schedule
started long ago catches up in steps, never in one endless request)."""
ONE_DAY = dt.timedelta(days=1)


def _accounts(session: Session, ctx: Ctx) -> dict[str, Account]:
    return {a.id: a for a in AccountRepository(session).of_kinds(ctx, set(Kind))}


def main_posting(schedule: Schedule, accounts: dict[str, Account]) -> SchedulePosting:
    """The posting on the schedule's asset or liability account (the first one)."""
    for posting in schedule.postings:
        account = accounts.get(posting.account_id)
        if account is not None and account.kind in BALANCE_SHEET:
            return posting
    return schedule.postings[0]


def to_calc(schedule: Schedule, accounts: dict[str, Account]) -> calc.Schedule:
    main = main_posting(schedule, accounts)
    return calc.Schedule(
        id=schedule.id,
        rule=schedule.rule,
        start=schedule.starts_on,
        amount_minor=main.amount_minor,
        currency=main.currency,
        account=main.account_id,
        until=schedule.until,
        count=schedule.count,
        mode=calc.ScheduleMode(schedule.mode),
        label=schedule.name,
    )


def to_bill(schedule: Schedule, as_calc: calc.Schedule) -> calc.Bill | None:
    if not schedule.is_bill or schedule.bill_min_minor is None or schedule.bill_max_minor is None:
        return None
    return calc.Bill(
        schedule=as_calc,
        payee=schedule.payee or schedule.name,
        min_minor=schedule.bill_min_minor,
        max_minor=schedule.bill_max_minor,
        days_before=schedule.bill_days_before,
        days_after=schedule.bill_days_after,
    )


def _read(schedule: Schedule, accounts: dict[str, Account], today: dt.date) -> ScheduleRead:
    main = main_posting(schedule, accounts)
    after = today - ONE_DAY
    if schedule.done_through is not None:
        after = max(after, schedule.done_through)
    bill = None
    if schedule.is_bill and schedule.bill_min_minor is not None:
        assert schedule.bill_max_minor is not None
        bill = BillRead(
            min_amount=format_plain(schedule.bill_min_minor, main.currency),
            max_amount=format_plain(schedule.bill_max_minor, main.currency),
            days_before=schedule.bill_days_before,
            days_after=schedule.bill_days_after,
        )
    return ScheduleRead(
        id=schedule.id,
        name=schedule.name,
        rule=schedule.rule,
        start_date=schedule.starts_on,
        until=schedule.until,
        count=schedule.count,
        mode="remind" if schedule.mode == "remind" else "auto-post",
        payee=schedule.payee,
        memo=schedule.memo,
        tags=schedule.tags.split(),
        postings=[
            SchedulePostingRead(
                account_id=p.account_id,
                amount=format_plain(p.amount_minor, p.currency),
                currency=p.currency,
                memo=p.memo,
            )
            for p in schedule.postings
        ],
        bill=bill,
        is_active=schedule.is_active,
        account_id=main.account_id,
        amount=format_plain(main.amount_minor, main.currency),
        currency=main.currency,
        done_through=schedule.done_through,
        next_occurrence=calc.next_occurrence(to_calc(schedule, accounts), after),
        created_at=schedule.created_at,
    )


# Create, change, delete


def _postings(
    ctx: Ctx, data: ScheduleCreate, accounts: dict[str, Account]
) -> list[SchedulePosting]:
    built = []
    for index, item in enumerate(data.postings):
        where = f"postings[{index}]"
        account = accounts.get(item.account_id)
        if account is None:
            raise InvalidInput(f"{where}.account_id", "no such account in this household")
        currency = check_currency(item.currency, f"{where}.currency")
        if account.currency is not None and account.currency != currency:
            raise InvalidInput(
                f"{where}.currency", f"'{account.name}' holds {account.currency}, not {currency}"
            )
        built.append(
            SchedulePosting(
                household_id=ctx.household_id,
                account_id=account.id,
                amount_minor=to_minor(Decimal(item.amount), currency, f"{where}.amount"),
                currency=currency,
                memo=item.memo,
                position=index,
            )
        )
    off = ledger_calc.imbalance((p.amount_minor, p.currency) for p in built)
    if off:
        raise UnbalancedTransaction(
            f"the postings do not sum to zero: off by {ledger_calc.describe_imbalance(off)}",
            field="postings",
        )
    if not any(accounts[p.account_id].kind in BALANCE_SHEET for p in built):
        raise InvalidInput("postings", "a schedule moves money on an asset or liability account")
    return built


def _fill(
    session: Session, ctx: Ctx, schedule: Schedule, data: ScheduleCreate
) -> dict[str, Account]:
    accounts = _accounts(session, ctx)
    postings = _postings(ctx, data, accounts)
    schedule.name, schedule.rule = data.name, data.rule.strip()
    schedule.starts_on, schedule.until, schedule.count = data.start_date, data.until, data.count
    schedule.mode, schedule.payee, schedule.memo = data.mode, data.payee, data.memo
    schedule.tags = " ".join(sorted(set(data.tags)))
    schedule.is_active = data.is_active
    schedule.postings = postings
    try:
        as_calc = to_calc(schedule, accounts)
    except ValueError as error:
        raise InvalidInput("rule", str(error)) from None
    schedule.is_bill = data.bill is not None
    schedule.bill_min_minor = schedule.bill_max_minor = None
    if data.bill is not None:
        currency = as_calc.currency
        schedule.bill_min_minor = to_minor(Decimal(data.bill.min_amount), currency, "bill")
        schedule.bill_max_minor = to_minor(Decimal(data.bill.max_amount), currency, "bill")
        schedule.bill_days_before = data.bill.days_before
        schedule.bill_days_after = data.bill.days_after
        try:
            to_bill(schedule, as_calc)
        except ValueError as error:
            raise InvalidInput("bill", str(error)) from None
    return accounts


def _get(session: Session, ctx: Ctx, schedule_id: str, for_update: bool = False) -> Schedule:
    schedule = ScheduleRepository(session).get(ctx, schedule_id, for_update)
    if schedule is None:
        raise NotFound("no such schedule")
    return schedule


def create(session: Session, ctx: Ctx, data: ScheduleCreate, today: dt.date) -> ScheduleRead:
    ctx.require(Role.EDITOR)
    schedule = Schedule(household_id=ctx.household_id)
    accounts = _fill(session, ctx, schedule, data)
    ScheduleRepository(session).add(schedule)
    return _read(schedule, accounts, today)


def replace(
    session: Session, ctx: Ctx, schedule_id: str, data: ScheduleCreate, today: dt.date
) -> ScheduleRead:
    """Replaces the schedule; what is done stays done (nothing is posted twice)."""
    ctx.require(Role.EDITOR)
    schedule = _get(session, ctx, schedule_id, for_update=True)
    accounts = _fill(session, ctx, schedule, data)
    session.flush()
    return _read(schedule, accounts, today)


def delete(session: Session, ctx: Ctx, schedule_id: str) -> None:
    """Transactions already posted stay in the ledger."""
    ctx.require(Role.EDITOR)
    ScheduleRepository(session).delete(_get(session, ctx, schedule_id))


def get(session: Session, ctx: Ctx, schedule_id: str, today: dt.date) -> ScheduleRead:
    return _read(_get(session, ctx, schedule_id), _accounts(session, ctx), today)


def list_schedules(session: Session, ctx: Ctx, today: dt.date) -> list[ScheduleRead]:
    accounts = _accounts(session, ctx)
    return [_read(s, accounts, today) for s in ScheduleRepository(session).all(ctx)]


# The posting job


@dataclass
class Loaded:
    rows: dict[str, Schedule]
    accounts: dict[str, Account]
    calcs: dict[str, calc.Schedule]
    done: dict[str, dict[dt.date, ScheduleOccurrence]]
    problems: list[RunProblem] = field(default_factory=list)

    def state(self, schedule_id: str) -> calc.ScheduleState:
        mark = self.rows[schedule_id].done_through
        days = self.done.get(schedule_id, {})
        return calc.ScheduleState(
            last_posted=mark,
            done=frozenset(d for d in days if mark is None or d > mark),
        )

    def occurrence(
        self, item: calc.Occurrence, status: OccurrenceState, transaction_id: str | None = None
    ) -> OccurrenceRead:
        return OccurrenceRead(
            schedule_id=item.schedule_id,
            name=self.rows[item.schedule_id].name,
            on=item.on,
            account_id=self.calcs[item.schedule_id].account,
            amount=format_plain(item.amount_minor, item.currency),
            currency=item.currency,
            status=status,
            transaction_id=transaction_id,
        )


def load_schedules(session: Session, ctx: Ctx, rows: list[Schedule]) -> Loaded:
    loaded = Loaded({r.id: r for r in rows}, _accounts(session, ctx), {}, defaultdict(dict))
    for done in ScheduleRepository(session).occurrences(ctx, loaded.rows):
        loaded.done[done.schedule_id][done.occurs_on] = done
    for row in rows:
        try:
            loaded.calcs[row.id] = to_calc(row, loaded.accounts)
        except (ValueError, IndexError) as error:
            loaded.problems.append(RunProblem(schedule_id=row.id, name=row.name, detail=str(error)))
    return loaded


def _template_problem(schedule: Schedule) -> str | None:
    if len(schedule.postings) < 2:
        return "the schedule has fewer than two postings (an account was deleted)"
    off = ledger_calc.imbalance((p.amount_minor, p.currency) for p in schedule.postings)
    if off:
        return f"the postings do not balance: {ledger_calc.describe_imbalance(off)}"
    return None


def _post(session: Session, ctx: Ctx, schedule: Schedule, on: dt.date) -> ScheduleOccurrence:
    """Posts one occurrence; the occurrence row is written first, so a concurrent run
    that posts the same day fails on the unique (schedule, day) and rolls back."""
    done = ScheduleOccurrence(
        household_id=ctx.household_id,
        schedule_id=schedule.id,
        occurs_on=on,
        status=OccurrenceStatus.POSTED.value,
    )
    ScheduleRepository(session).add(done)
    transaction = ledger.create(
        session,
        ctx,
        TransactionCreate(
            date=on,
            payee=schedule.payee or None,
            memo=schedule.memo or schedule.name,
            tags=schedule.tags.split(),
            postings=[
                PostingIn(
                    account_id=p.account_id,
                    amount=format_plain(p.amount_minor, p.currency),
                    currency=p.currency,
                    memo=p.memo,
                )
                for p in schedule.postings
            ],
        ),
    )
    done.transaction_id = transaction.id
    session.flush()
    return done


def _bill_statuses(
    session: Session, ctx: Ctx, loaded: Loaded, schedule: Schedule, today: dt.date
) -> list[calc.BillOccurrence]:
    bill = to_bill(schedule, loaded.calcs[schedule.id])
    if bill is None:
        return []
    mark = schedule.done_through
    since = schedule.starts_on if mark is None else max(schedule.starts_on, mark + ONE_DAY)
    start = since - dt.timedelta(days=bill.days_before)
    end = today + dt.timedelta(days=bill.days_after + 1)
    transactions = [
        calc.BankTransaction(t, d, amount, currency, payee)
        for t, d, amount, currency, payee in ScheduleRepository(session).account_postings(
            ctx, bill.schedule.account, start, end
        )
    ]
    linked = {
        day: row.transaction_id
        for day, row in loaded.done.get(schedule.id, {}).items()
        if row.transaction_id is not None
    }
    # Skipped occurrences are neither due nor missed.
    skipped = {d for d, r in loaded.done.get(schedule.id, {}).items() if r.transaction_id is None}
    return [
        s
        for s in calc.match_bill(bill, transactions, since, today, linked=linked)
        if s.on not in skipped
    ]


def _run(
    session: Session, ctx: Ctx, today: dt.date, horizon_days: int, *, write: bool
) -> RunResult:
    loaded = load_schedules(session, ctx, ScheduleRepository(session).all(ctx, active_only=True))
    states = {sid: loaded.state(sid) for sid in loaded.calcs}
    plan = calc.plan_run(loaded.calcs.values(), states, today, horizon_days=horizon_days)
    bills = {sid for sid, row in loaded.rows.items() if row.is_bill and sid in loaded.calcs}
    newly_done: dict[str, list[dt.date]] = defaultdict(list)
    posted: list[OccurrenceRead] = []
    if len(plan.to_post) > MAX_POSTS_PER_RUN:
        first = plan.to_post[MAX_POSTS_PER_RUN]
        loaded.problems.append(
            RunProblem(
                schedule_id=first.schedule_id,
                name=loaded.rows[first.schedule_id].name,
                detail=f"{len(plan.to_post) - MAX_POSTS_PER_RUN} more occurrences are due; "
                "the next run posts them",
            )
        )
    for item in plan.to_post[:MAX_POSTS_PER_RUN]:
        schedule = loaded.rows[item.schedule_id]
        problem = _template_problem(schedule)
        if problem is not None:
            loaded.problems.append(
                RunProblem(schedule_id=schedule.id, name=schedule.name, detail=problem)
            )
            continue
        if not write:
            posted.append(loaded.occurrence(item, "due"))
            continue
        row = _post(session, ctx, schedule, item.on)
        loaded.done[schedule.id][item.on] = row
        newly_done[schedule.id].append(item.on)
        posted.append(loaded.occurrence(item, "posted", row.transaction_id))

    paid: list[OccurrenceRead] = []
    due_bills: list[OccurrenceRead] = []
    missed = [loaded.occurrence(o, "missed") for o in plan.missed if o.schedule_id not in bills]
    for schedule_id in sorted(bills):
        schedule = loaded.rows[schedule_id]
        as_calc = loaded.calcs[schedule_id]
        for status in _bill_statuses(session, ctx, loaded, schedule, today):
            item = as_calc.occurrence(status.on)
            if status.status is calc.BillStatus.MISSED:
                missed.append(loaded.occurrence(item, "missed"))
            elif status.status is calc.BillStatus.DUE:
                due_bills.append(loaded.occurrence(item, "bill-due"))
            elif status.on not in loaded.done[schedule_id]:
                paid.append(loaded.occurrence(item, "paid", status.transaction_id))
                if write:
                    row = ScheduleOccurrence(
                        household_id=ctx.household_id,
                        schedule_id=schedule_id,
                        occurs_on=status.on,
                        status=OccurrenceStatus.PAID.value,
                        transaction_id=status.transaction_id,
                    )
                    ScheduleRepository(session).add(row)
                    loaded.done[schedule_id][status.on] = row
                    newly_done[schedule_id].append(status.on)
    for schedule_id, days in newly_done.items():
        state = calc.mark_done(loaded.calcs[schedule_id], states[schedule_id], days)
        loaded.rows[schedule_id].done_through = state.last_posted
    session.flush()
    return RunResult(
        today=today,
        posted=posted,
        paid=paid,
        reminders=[
            loaded.occurrence(o, "reminder") for o in plan.reminders if o.schedule_id not in bills
        ],
        missed=sorted(missed, key=lambda o: (o.on, o.name)),
        due_bills=due_bills,
        upcoming=[loaded.occurrence(o, "upcoming") for o in plan.upcoming],
        problems=loaded.problems,
    )


def post_due(session: Session, ctx: Ctx, today: dt.date, horizon_days: int = 14) -> RunResult:
    """The job: posts every auto-post occurrence due by ``today`` (with its own date),
    marks bills paid by matching transactions, and lists reminders, missed items and
    what is coming within ``horizon_days``. Running it again posts nothing twice."""
    ctx.require(Role.EDITOR)
    return _run(session, ctx, today, horizon_days, write=True)


def upcoming(session: Session, ctx: Ctx, today: dt.date, horizon_days: int = 14) -> RunResult:
    """What `post_due` would do today, without doing it: due items show as 'due'."""
    return _run(session, ctx, today, horizon_days, write=False)


# One occurrence at a time


def act(
    session: Session, ctx: Ctx, schedule_id: str, data: OccurrenceAction, today: dt.date
) -> OccurrenceRead:
    """Posts a reminder's occurrence, skips one, or marks a bill paid by a transaction."""
    ctx.require(Role.EDITOR)
    schedule = _get(session, ctx, schedule_id, for_update=True)
    loaded = load_schedules(session, ctx, [schedule])
    if schedule.id not in loaded.calcs:
        raise InvalidInput("rule", loaded.problems[0].detail)
    as_calc = loaded.calcs[schedule.id]
    if calc.occurrences(as_calc, data.date, data.date + ONE_DAY) != [data.date]:
        raise InvalidInput("date", f"the schedule has no occurrence on {data.date}")
    state = loaded.state(schedule.id)
    if data.date in loaded.done[schedule.id] or (
        state.last_posted is not None and data.date <= state.last_posted
    ):
        raise OccurrenceDone(f"the occurrence on {data.date} is already done")
    if data.action == "post":
        problem = _template_problem(schedule)
        if problem is not None:
            raise InvalidInput("postings", problem)
        row = _post(session, ctx, schedule, data.date)
        status: OccurrenceState = "posted"
    else:
        transaction_id = None
        if data.action == "pay":
            repo = ScheduleRepository(session)
            if not data.transaction_id or not repo.transaction_exists(ctx, data.transaction_id):
                raise InvalidInput("transaction_id", "no such transaction in this household")
            transaction_id = data.transaction_id
        status = "paid" if data.action == "pay" else "skipped"
        row = ScheduleOccurrence(
            household_id=ctx.household_id,
            schedule_id=schedule.id,
            occurs_on=data.date,
            status=OccurrenceStatus(status).value,
            transaction_id=transaction_id,
        )
        ScheduleRepository(session).add(row)
    schedule.done_through = calc.mark_done(as_calc, state, [data.date]).last_posted
    session.flush()
    return loaded.occurrence(as_calc.occurrence(data.date), status, row.transaction_id)


def occurrences(
    session: Session, ctx: Ctx, schedule_id: str, start: dt.date, end: dt.date, today: dt.date
) -> list[OccurrenceRead]:
    """Every occurrence dated in ``[start, end]`` with what became of it."""
    if end < start:
        raise InvalidInput("date_to", "must not be before date_from")
    schedule = _get(session, ctx, schedule_id)
    loaded = load_schedules(session, ctx, [schedule])
    if schedule.id not in loaded.calcs:
        raise InvalidInput("rule", loaded.problems[0].detail)
    as_calc = loaded.calcs[schedule.id]
    bill = to_bill(schedule, as_calc)
    state = loaded.state(schedule.id)
    found: list[OccurrenceRead] = []
    for day in calc.occurrences(as_calc, start, end + ONE_DAY)[:1000]:
        item = as_calc.occurrence(day)
        done = loaded.done[schedule.id].get(day)
        if done is not None:
            found.append(loaded.occurrence(item, _status(done.status), done.transaction_id))
            continue
        status: OccurrenceState = "upcoming"
        if state.last_posted is not None and day <= state.last_posted:
            status = "skipped"
        elif bill is not None:
            first, closes = bill.window(day)
            if closes <= today:
                status = "missed"
            elif first <= today:
                status = "bill-due"
        elif day < today:
            status = "due" if as_calc.mode is calc.ScheduleMode.AUTO_POST else "missed"
        elif day == today:
            status = "due" if as_calc.mode is calc.ScheduleMode.AUTO_POST else "reminder"
        found.append(loaded.occurrence(item, status))
    return found


def _status(value: str) -> OccurrenceState:
    if value == OccurrenceStatus.POSTED:
        return "posted"
    return "paid" if value == OccurrenceStatus.PAID else "skipped"
