"""Rules as pure functions: which rule matches, why, and what it decides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeledger.rules.matching import (
    Action,
    Condition,
    Rule,
    RuleError,
    SplitPart,
    Subject,
    apply_rules,
    check_rule,
    split_amounts,
)
from homeledger.rules.payees import clean_payee, key_prefixes, payee_key, similarity

AMAZON = Subject(
    account_id="checking",
    date=dt.date(2025, 3, 2),
    amount_minor=-1299,
    exponent=2,
    payee="Amazon Mktplace",
    memo="order 302-1234567",
    raw_payee="POS 1234 AMAZON MKTPLACE*2K4",
)


def rule(name: str, *conditions: Condition, actions: tuple[Action, ...], **kw: bool) -> Rule:
    return Rule(id=name, name=name, conditions=conditions, actions=actions, **kw)


def test_payee_condition_matches_the_bank_text_and_says_so() -> None:
    shopping = rule(
        "Shopping",
        Condition("payee", "contains", "mktplace*2k4"),
        actions=(Action("set_category", "cat-shopping"),),
    )
    outcome = apply_rules([shopping], AMAZON)
    assert outcome.category_id == "cat-shopping"
    assert outcome.explain() == (
        "rule 'Shopping': bank text 'POS 1234 AMAZON MKTPLACE*2K4' contains 'mktplace*2k4'"
    )


def test_all_conditions_must_hold_unless_the_rule_says_any() -> None:
    conditions = (
        Condition("payee", "equals", "amazon mktplace"),
        Condition("amount", "at_least", "100"),
    )
    strict = rule("strict", *conditions, actions=(Action("set_payee", "Amazon"),))
    loose = rule("loose", *conditions, actions=(Action("set_payee", "Amazon"),), match_all=False)
    assert apply_rules([strict], AMAZON).matches == []
    matched = apply_rules([loose], AMAZON)
    assert matched.payee == "Amazon"
    assert matched.matches[0].reasons == ("payee 'Amazon Mktplace' equals 'amazon mktplace'",)


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        (Condition("amount", "between", "10", "20"), "amount 12.99 is between 10 and 20"),
        (Condition("amount", "at_most", "12.99"), "amount 12.99 is at most 12.99"),
        (Condition("direction", "is", "out"), "money out"),
        (Condition("account", "is", "checking"), "account matches"),
        (
            Condition("date", "on_or_after", "2025-03-01"),
            "date 2025-03-02 is on or after 2025-03-01",
        ),
        (
            Condition("memo", "regex", r"\d{3}-\d{7}"),
            "memo 'order 302-1234567' matches '\\d{3}-\\d{7}'",
        ),
        (
            Condition("text", "starts_with", "amazon"),
            "text 'Amazon Mktplace POS 1234 AMAZON MKTPLAC…' starts with 'amazon'",
        ),
    ],
)
def test_each_kind_of_condition_explains_itself(condition: Condition, reason: str) -> None:
    matched = apply_rules(
        [rule("r", condition, actions=(Action("add_tags", tags=("x",)),))], AMAZON
    )
    assert matched.matches[0].reasons == (reason,)


@pytest.mark.parametrize(
    "condition",
    [
        Condition("amount", "between", "13", "20"),
        Condition("direction", "is", "in"),
        Condition("account", "is", "savings"),
        Condition("date", "on_or_before", "2025-03-01"),
        Condition("payee", "regex", "^netflix"),
    ],
)
def test_a_condition_that_does_not_hold_means_no_match(condition: Condition) -> None:
    assert (
        apply_rules([rule("r", condition, actions=(Action("set_memo", "x"),))], AMAZON).matches
        == []
    )


def test_the_first_rule_to_choose_a_category_wins_tags_add_up_and_stop_ends_the_run() -> None:
    first = rule(
        "first",
        Condition("payee", "contains", "amazon"),
        actions=(Action("set_category", "books"), Action("add_tags", tags=("online",))),
    )
    second = rule(
        "second",
        Condition("amount", "at_least", "1"),
        actions=(Action("set_category", "other"), Action("add_tags", tags=("card",))),
        stop=True,
    )
    third = rule("third", Condition("direction", "is", "out"), actions=(Action("set_payee", "X"),))
    outcome = apply_rules([first, second, third], AMAZON)
    assert outcome.category_id == "books"
    assert outcome.tags == ["online", "card"]
    assert outcome.payee is None
    assert [m.rule_name for m in outcome.matches] == ["first", "second"]


def test_a_split_by_percent_gives_every_cent_to_someone() -> None:
    parts = (SplitPart("food", percent=Decimal(50)), SplitPart("home", percent=Decimal(50)))
    outcome = apply_rules(
        [
            rule(
                "split",
                Condition("direction", "is", "out"),
                actions=(Action("split", parts=parts),),
            )
        ],
        AMAZON,
    )
    assert [(s.category_id, s.amount_minor) for s in outcome.splits] == [
        ("food", 650),
        ("home", 649),
    ]


def test_fixed_split_parts_come_first_and_leave_the_rest_to_the_caller() -> None:
    parts = (SplitPart("deposit", amount=Decimal("2.99")),)
    assert split_amounts(-1299, parts, 2) == [299]
    both = (SplitPart("deposit", amount=Decimal("2.99")), SplitPart("food", percent=Decimal(100)))
    assert split_amounts(-1299, both, 2) == [299, 1000]


def test_a_split_larger_than_the_amount_is_skipped_and_says_why() -> None:
    parts = (SplitPart("deposit", amount=Decimal("20")),)
    outcome = apply_rules(
        [rule("big", Condition("direction", "is", "out"), actions=(Action("split", parts=parts),))],
        AMAZON,
    )
    assert outcome.splits == []
    assert "split skipped, its parts exceed the amount" in outcome.explain()


@given(
    total=st.integers(min_value=-(10**12), max_value=10**12),
    shares=st.lists(st.integers(min_value=1, max_value=97), min_size=1, max_size=6),
)
def test_percent_splits_always_add_up_to_the_amount(total: int, shares: list[int]) -> None:
    percents = [Decimal(s) for s in shares]
    percents[-1] += 100 - sum(percents)
    if percents[-1] <= 0:
        percents = [Decimal(100)]
    parts = [SplitPart(f"c{i}", percent=p) for i, p in enumerate(percents)]
    amounts = split_amounts(total, parts, 2)
    assert amounts is not None
    assert sum(amounts) == abs(total)
    for amount, percent in zip(amounts, percents, strict=True):
        assert abs(Decimal(amount) - abs(total) * percent / 100) < 1


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        (
            rule("r", Condition("payee", "regex", "(unclosed"), actions=(Action("set_memo", "x"),)),
            "conditions[0].value",
        ),
        (
            rule("r", Condition("amount", "between", "5", "1"), actions=(Action("set_memo", "x"),)),
            "conditions[0].value_to",
        ),
        (
            rule("r", Condition("colour", "is", "red"), actions=(Action("set_memo", "x"),)),
            "conditions[0].field",
        ),
        (
            rule(
                "r",
                Condition("direction", "is", "out"),
                actions=(Action("split", parts=(SplitPart("a", percent=Decimal(60)),)),),
            ),
            "actions[0].parts",
        ),
        (rule("r", actions=(Action("set_memo", "x"),)), "conditions"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_naming_the_part(bad: Rule, where: str) -> None:
    with pytest.raises(RuleError) as caught:
        check_rule(bad)
    assert caught.value.where == where


def test_bank_text_reduces_to_a_stable_key_and_a_readable_payee() -> None:
    assert payee_key("POS 1234 AMAZON MKTPLACE*2K4") == "amazon mktplace"
    assert payee_key("AMAZON MKTPLACE*7Q1 AMZN.COM/BILL") == "amazon mktplace amzn"
    assert key_prefixes("amazon mktplace amzn") == [
        "amazon mktplace amzn",
        "amazon mktplace",
        "amazon",
    ]
    assert clean_payee("WHOLE FOODS #10234") == "Whole Foods"
    assert clean_payee("AT&T MOBILITY") == "AT&T Mobility"
    assert clean_payee("REWE Markt GmbH") == "REWE Markt GmbH"


def test_similarity_ignores_numbers_prefixes_and_legal_forms() -> None:
    assert similarity("Amazon", "POS 1234 AMAZON MKTPLACE*2K4") == 0.9
    assert similarity("REWE Markt GmbH", "REWE MARKT 4711") == 1.0
    assert similarity("REWE", "Edeka") < 0.5
    assert similarity("", "anything") == 0.0
