"""Subscriptions and recurring charges found in payment history."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from homeledger.insights.recurring import (
    LAST_DAY,
    Cadence,
    Charge,
    detect,
    schedule_proposal,
)
from homeledger.schedules.calc import Schedule, occurrences

TODAY = dt.date(2025, 12, 10)


def _charges(
    payee: str, dated: Iterable[tuple[dt.date, int]], account: str = "card"
) -> list[Charge]:
    return [
        Charge(f"{payee}-{day.isoformat()}", day, payee, amount, "EUR", account, "streaming")
        for day, amount in dated
    ]


def _monthly(
    payee: str, day: int, amounts: list[int], first: dt.date = dt.date(2025, 1, 1)
) -> list[Charge]:
    dates = [
        dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, day)
        for i in range(len(amounts))
    ]
    return _charges(payee, zip(dates, amounts, strict=True))


def test_netflix_price_rise_is_reported_with_its_date_and_yearly_cost() -> None:
    history = _monthly("SEPA-LASTSCHRIFT NETFLIX.COM 123", 3, [1299] * 5 + [1399] * 7)
    [found] = detect(history, TODAY)
    assert found.cadence is Cadence.MONTHLY
    assert found.day == 3
    assert found.amount_minor == 1399
    assert found.yearly_cost_minor == 12 * 1399
    assert found.fixed
    assert [(c.date, c.old_minor, c.new_minor) for c in found.price_changes] == [
        (dt.date(2025, 6, 3), 1299, 1399)
    ]
    assert "went from 12.99 to 13.99 on 2025-06-03" in found.why
    assert found.next_expected == dt.date(2026, 1, 3)
    assert found.active


def test_payment_days_may_wander_three_days_but_not_more() -> None:
    wobbly = [
        dt.date(2025, m, 15) + dt.timedelta(days=(-3, 2, 0, 3, -1, 1)[m - 1]) for m in range(1, 7)
    ]
    assert len(detect(_charges("Gym", [(d, 2990) for d in wobbly]), dt.date(2025, 7, 1))) == 1
    drifting = list(wobbly)
    drifting[3] = dt.date(2025, 4, 20)  # five days late
    assert detect(_charges("Gym", [(d, 2990) for d in drifting]), dt.date(2025, 7, 1)) == []


def test_month_end_payments_are_one_monthly_series_on_the_last_day() -> None:
    ends = [dt.date(2025, 1, 31), dt.date(2025, 2, 28), dt.date(2025, 3, 31), dt.date(2025, 4, 30)]
    [found] = detect(_charges("Insurance", [(d, 4820) for d in ends]), dt.date(2025, 5, 10))
    assert found.cadence is Cadence.MONTHLY
    assert found.day == LAST_DAY
    assert found.next_expected == dt.date(2025, 5, 31)
    proposal = schedule_proposal(found, dt.date(2025, 5, 10))
    assert proposal.rule == "FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"
    schedule = Schedule("s", proposal.rule, proposal.start, proposal.amount_minor, "EUR")
    assert occurrences(schedule, dt.date(2025, 5, 1), dt.date(2025, 7, 1)) == [
        dt.date(2025, 5, 31),
        dt.date(2025, 6, 30),
    ]


def test_weekly_quarterly_and_yearly_cadences() -> None:
    weekly = _charges(
        "Cleaner", [(dt.date(2025, 9, 1) + dt.timedelta(weeks=w), 4000) for w in range(8)]
    )
    quarterly = _charges("Water", [(dt.date(2025, m, 10), 9000) for m in (1, 4, 7, 10)])
    yearly = _charges(
        "HUK-COBURG",
        [(dt.date(y, 3, 1), 31000 if y < 2024 else 33500) for y in (2022, 2023, 2024, 2025)],
    )
    found = {r.payee: r for r in detect(weekly + quarterly + yearly, TODAY)}
    assert found["Cleaner"].cadence is Cadence.WEEKLY
    assert found["Cleaner"].yearly_cost_minor == 52 * 4000
    assert schedule_proposal(found["Cleaner"], TODAY).rule == "FREQ=WEEKLY;BYDAY=MO"
    assert found["Water"].cadence is Cadence.QUARTERLY
    assert found["Water"].next_expected == dt.date(2026, 1, 10)
    water = schedule_proposal(found["Water"], TODAY)
    assert (water.rule, water.start) == (
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10",
        dt.date(2026, 1, 10),
    )
    assert found["HUK-COBURG"].cadence is Cadence.YEARLY
    assert found["HUK-COBURG"].yearly_cost_minor == 33500
    assert "went from 310.00 to 335.00 on 2024-03-01" in found["HUK-COBURG"].why
    huk = schedule_proposal(found["HUK-COBURG"], TODAY)
    assert (huk.rule, huk.start) == ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1", dt.date(2026, 3, 1))


def test_a_varying_utility_bill_is_recurring_but_grocery_shopping_is_not() -> None:
    rng = random.Random(3)
    utility = _monthly("STADTWERKE BERLIN", 3, [rng.randint(8500, 14000) for _ in range(11)])
    groceries = _charges(
        "LIDL DIENSTL",
        [
            (dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 330)), rng.randint(1200, 9500))
            for _ in range(90)
        ],
    )
    [found] = detect(utility + groceries, TODAY)
    assert found.payee == "STADTWERKE BERLIN"
    assert not found.fixed
    assert 0 < found.variation <= 0.25
    assert "amounts vary by" in found.why


def test_prime_is_found_among_random_amazon_purchases() -> None:
    rng = random.Random(5)
    prime = _monthly("AMAZON EU S.A R.L.", 14, [899] * 10)
    shopping = _charges(
        "AMAZON EU S.A R.L.",
        [
            (dt.date(2025, 1, 2) + dt.timedelta(days=rng.randint(0, 300)), rng.randint(2500, 25000))
            for _ in range(25)
        ],
    )
    [found] = detect(prime + shopping, TODAY)
    assert (found.amount_minor, found.cadence) == (899, Cadence.MONTHLY)


def test_two_payments_are_not_a_series_and_a_stopped_one_is_marked_ended() -> None:
    assert detect(_monthly("Spotify", 12, [1099, 1099]), TODAY) == []
    [ended] = detect(_monthly("Disney Plus", 20, [899] * 6), TODAY)  # last on 2025-06-20
    assert not ended.active
    assert ended.next_expected is None
    assert "seems to have ended" in ended.why
    [running] = detect(_monthly("Disney Plus", 20, [899] * 11), TODAY)  # last on 2025-11-20
    assert running.active


def test_schedule_proposal_is_a_monthly_rule_on_the_payment_day() -> None:
    [found] = detect(_monthly("Netflix", 3, [1399] * 12), TODAY)
    proposal = schedule_proposal(found, TODAY)
    assert proposal.rule == "FREQ=MONTHLY;BYMONTHDAY=3"
    assert proposal.start == dt.date(2026, 1, 3)
    assert proposal.amount_minor == -1399
    assert (proposal.account_id, proposal.category_id) == ("card", "streaming")
    assert proposal.payee == "Netflix"


def test_a_charge_taken_twice_the_same_day_does_not_hide_the_subscription() -> None:
    history = _monthly("Spotify", 12, [1099] * 6)
    history.append(Charge("again", dt.date(2025, 3, 12), "Spotify", 1099, "EUR", "card"))
    [found] = detect(history, dt.date(2025, 7, 1))
    assert found.occurrences == 6


def test_the_same_charge_keeps_its_key_as_history_grows() -> None:
    [before] = detect(_monthly("Netflix", 3, [1399] * 6), TODAY)
    [after] = detect(_monthly("Netflix", 3, [1399] * 11), TODAY)
    assert before.key == after.key
