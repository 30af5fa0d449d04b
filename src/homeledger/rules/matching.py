"""Rules: ordered conditions -> actions, with an explanation of every match. Pure.

Plain dataclasses in, plain dataclasses out; the service turns stored rules and
ledger rows into these, and the import pipeline calls `apply_rules` per row.

Conditions (all must hold, or any, per rule):

* payee / memo / text: ``contains``, ``equals``, ``starts_with``, ``regex``;
  case-insensitive. ``payee`` looks at the clean payee and at the bank's raw text,
  ``text`` at payee and memo together.
* amount: ``at_least``, ``at_most``, ``between`` on the absolute amount (a rule says
  '10 to 50' for spending and income alike), ``equals``;
  direction: ``is`` ``in`` / ``out``.
* account: ``is`` an account id.  date: ``on_or_after``, ``on_or_before``,
  ``between`` (inclusive).

Actions: set_category, set_payee, add_tags, set_memo, split (fixed amounts first,
then percentages of what is left), transfer (to one of the household's accounts).
Rules run in order; a rule with ``stop`` ends the run once it matched. A later rule
does not undo an earlier one's category, payee or memo: the first one to set a thing
wins, and tags add up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache

from homeledger.rules.payees import comparable

TEXT_FIELDS = ("payee", "memo", "text")
TEXT_OPERATORS = ("contains", "equals", "starts_with", "regex")
AMOUNT_OPERATORS = ("at_least", "at_most", "between", "equals")
DATE_OPERATORS = ("on_or_after", "on_or_before", "between")
ACTION_KINDS = ("set_category", "set_payee", "add_tags", "set_memo", "split", "transfer")


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str
    value: str
    value_to: str | None = None
    """The upper bound of ``between``."""


@dataclass(frozen=True, slots=True)
class SplitPart:
    category_id: str
    amount: Decimal | None = None
    """Absolute, in the currency's units; taken before any percentage."""
    percent: Decimal | None = None
    """Of what is left after the fixed amounts."""
    memo: str = ""


@dataclass(frozen=True, slots=True)
class Action:
    kind: str
    value: str = ""
    """Category id, payee, memo or account id, by kind."""
    tags: tuple[str, ...] = ()
    parts: tuple[SplitPart, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    conditions: tuple[Condition, ...]
    actions: tuple[Action, ...]
    match_all: bool = True
    stop: bool = False


@dataclass(frozen=True, slots=True)
class Subject:
    """What a rule looks at: an imported row or an existing transaction."""

    account_id: str
    date: dt.date
    amount_minor: int
    """Signed from the account's side: negative is money out."""
    exponent: int
    """Decimals of the currency (2 for EUR), to compare with rule amounts."""
    payee: str
    memo: str
    raw_payee: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    rule_id: str
    rule_name: str
    reasons: tuple[str, ...]

    def explain(self) -> str:
        return f"rule '{self.rule_name}': " + ", ".join(self.reasons)


@dataclass(frozen=True, slots=True)
class SplitLine:
    category_id: str
    amount_minor: int
    """Signed like the category posting: the opposite of the subject's amount."""
    memo: str = ""


@dataclass
class Outcome:
    """What the matching rules decided; None where no rule said anything."""

    category_id: str | None = None
    payee: str | None = None
    memo: str | None = None
    tags: list[str] = field(default_factory=list)
    splits: list[SplitLine] = field(default_factory=list)
    transfer_account_id: str | None = None
    matches: list[Match] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Actions that matched but could not apply (a split larger than the amount)."""

    @property
    def decides_target(self) -> bool:
        return bool(self.category_id or self.splits or self.transfer_account_id)

    def explain(self) -> str:
        return "; ".join([m.explain() for m in self.matches] + self.notes)


class RuleError(ValueError):
    """A rule that cannot work as written; the message names the part."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


# Checking rules before they are saved


def check_rule(rule: Rule) -> None:
    if not rule.conditions:
        raise RuleError("conditions", "a rule needs at least one condition")
    if not rule.actions:
        raise RuleError("actions", "a rule needs at least one action")
    for index, condition in enumerate(rule.conditions):
        _check_condition(condition, f"conditions[{index}]")
    for index, action in enumerate(rule.actions):
        _check_action(action, f"actions[{index}]")


def _check_condition(c: Condition, where: str) -> None:
    if c.field in TEXT_FIELDS:
        if c.op not in TEXT_OPERATORS:
            raise RuleError(f"{where}.op", f"{c.field} takes {', '.join(TEXT_OPERATORS)}")
        if not c.value:
            raise RuleError(f"{where}.value", "say what to look for")
        if c.op == "regex":
            try:
                _regex(c.value)
            except re.error as error:
                raise RuleError(f"{where}.value", f"not a regular expression ({error})") from None
    elif c.field == "amount":
        if c.op not in AMOUNT_OPERATORS:
            raise RuleError(f"{where}.op", f"amount takes {', '.join(AMOUNT_OPERATORS)}")
        low = _decimal(c.value, f"{where}.value")
        if c.op == "between":
            high = _decimal(c.value_to or "", f"{where}.value_to")
            if high < low:
                raise RuleError(f"{where}.value_to", "must not be below value")
    elif c.field == "direction":
        if c.op != "is" or c.value not in ("in", "out"):
            raise RuleError(f"{where}.value", "direction is 'in' or 'out'")
    elif c.field == "account":
        if c.op != "is" or not c.value:
            raise RuleError(f"{where}.value", "account takes 'is' and an account id")
    elif c.field == "date":
        if c.op not in DATE_OPERATORS:
            raise RuleError(f"{where}.op", f"date takes {', '.join(DATE_OPERATORS)}")
        start = _date(c.value, f"{where}.value")
        if c.op == "between" and _date(c.value_to or "", f"{where}.value_to") < start:
            raise RuleError(f"{where}.value_to", "must not be before value")
    else:
        raise RuleError(f"{where}.field", f"unknown field '{c.field}'")


def _check_action(a: Action, where: str) -> None:
    if a.kind not in ACTION_KINDS:
        raise RuleError(f"{where}.kind", f"unknown action '{a.kind}'")
    if a.kind in ("set_category", "set_payee", "transfer") and not a.value:
        raise RuleError(f"{where}.value", f"{a.kind} needs a value")
    if a.kind == "add_tags" and not a.tags:
        raise RuleError(f"{where}.tags", "name at least one tag")
    if a.kind == "split":
        if not a.parts:
            raise RuleError(f"{where}.parts", "a split needs parts")
        percents = [p.percent for p in a.parts if p.percent is not None]
        for index, part in enumerate(a.parts):
            if (part.amount is None) == (part.percent is None):
                raise RuleError(f"{where}.parts[{index}]", "give an amount or a percent")
            if part.amount is not None and part.amount <= 0:
                raise RuleError(f"{where}.parts[{index}].amount", "must be positive")
            if part.percent is not None and not 0 < part.percent <= 100:
                raise RuleError(f"{where}.parts[{index}].percent", "must be above 0, at most 100")
        if percents and sum(percents) != 100:
            raise RuleError(f"{where}.parts", "percentages must add up to 100")


def _decimal(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError:
        raise RuleError(where, f"'{text}' is not an amount") from None
    if not value.is_finite() or value < 0:
        raise RuleError(where, "amounts in rules are positive numbers")
    return value


def _date(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RuleError(where, f"'{text}' is not a date (YYYY-MM-DD)") from None


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Matching


def _text_test(op: str, needle: str, haystack: str) -> bool:
    if op == "regex":
        return _regex(needle).search(haystack) is not None
    wanted, text = comparable(needle), comparable(haystack)
    if op == "contains":
        return wanted in text
    if op == "equals":
        return wanted == text
    return text.startswith(wanted)


_OPS = {
    "contains": "contains",
    "equals": "equals",
    "starts_with": "starts with",
    "regex": "matches",
}


def _text_reason(c: Condition, subject: Subject) -> str | None:
    if c.field == "payee":
        texts = [("payee", subject.payee), ("bank text", subject.raw_payee)]
    elif c.field == "memo":
        texts = [("memo", subject.memo)]
    else:
        texts = [("text", f"{subject.payee} {subject.raw_payee} {subject.memo}")]
    for label, text in texts:
        if text and _text_test(c.op, c.value, text):
            return f"{label} '{_short(text)}' {_OPS[c.op]} '{c.value}'"
    return None


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _amount_reason(c: Condition, subject: Subject) -> str | None:
    amount = abs(Decimal(subject.amount_minor).scaleb(-subject.exponent))
    low = Decimal(c.value)
    shown = f"{amount:f}"
    if c.op == "at_least" and amount >= low:
        return f"amount {shown} is at least {c.value}"
    if c.op == "at_most" and amount <= low:
        return f"amount {shown} is at most {c.value}"
    if c.op == "equals" and amount == low:
        return f"amount is {shown}"
    if c.op == "between" and low <= amount <= Decimal(c.value_to or "0"):
        return f"amount {shown} is between {c.value} and {c.value_to}"
    return None


def _date_reason(c: Condition, subject: Subject) -> str | None:
    start = dt.date.fromisoformat(c.value)
    day = subject.date
    if c.op == "on_or_after" and day >= start:
        return f"date {day} is on or after {start}"
    if c.op == "on_or_before" and day <= start:
        return f"date {day} is on or before {start}"
    if c.op == "between" and start <= day <= dt.date.fromisoformat(c.value_to or ""):
        return f"date {day} is between {start} and {c.value_to}"
    return None


def condition_reason(c: Condition, subject: Subject) -> str | None:
    """Why the condition holds, in words; None when it does not."""
    if c.field in TEXT_FIELDS:
        return _text_reason(c, subject)
    if c.field == "amount":
        return _amount_reason(c, subject)
    if c.field == "direction":
        out = subject.amount_minor < 0
        if (c.value == "out") == out:
            return "money out" if out else "money in"
        return None
    if c.field == "account":
        return "account matches" if subject.account_id == c.value else None
    if c.field == "date":
        return _date_reason(c, subject)
    return None


def evaluate(rule: Rule, subject: Subject) -> Match | None:
    reasons = []
    for condition in rule.conditions:
        reason = condition_reason(condition, subject)
        if reason is None and rule.match_all:
            return None
        if reason is not None:
            reasons.append(reason)
    if not reasons:
        return None
    return Match(rule.id, rule.name, tuple(reasons))


def split_amounts(total_minor: int, parts: Sequence[SplitPart], exponent: int) -> list[int] | None:
    """Absolute minor amounts per part, summing exactly to abs(total) when percentages
    are present (largest remainder), else to the fixed amounts; None when the fixed
    parts alone exceed the total. The remainder without percentages is the caller's."""
    total = abs(total_minor)
    fixed = [
        int(p.amount.scaleb(exponent).to_integral_value(ROUND_FLOOR)) if p.amount is not None else 0
        for p in parts
    ]
    rest = total - sum(fixed)
    if rest < 0:
        return None
    shares = [p.percent for p in parts]
    percent_indexes = [i for i, share in enumerate(shares) if share is not None]
    if not percent_indexes:
        return fixed
    exact = {i: Decimal(rest) * (shares[i] or Decimal(0)) / 100 for i in percent_indexes}
    floors = {i: int(value.to_integral_value(ROUND_FLOOR)) for i, value in exact.items()}
    left = rest - sum(floors.values())
    # Hand the leftover minor units to the parts that lost most to rounding.
    order = sorted(percent_indexes, key=lambda i: (floors[i] - exact[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [floors[i] if i in floors else fixed[i] for i in range(len(parts))]


def apply_rules(rules: Sequence[Rule], subject: Subject) -> Outcome:
    outcome = Outcome()
    for rule in rules:
        match = evaluate(rule, subject)
        if match is None:
            continue
        outcome.matches.append(match)
        for action in rule.actions:
            _apply(action, subject, outcome, rule.name)
        if rule.stop:
            break
    return outcome


def _apply(action: Action, subject: Subject, outcome: Outcome, rule_name: str) -> None:
    kind = action.kind
    if kind == "set_payee" and outcome.payee is None:
        outcome.payee = action.value
    elif kind == "set_memo" and outcome.memo is None:
        outcome.memo = action.value
    elif kind == "add_tags":
        outcome.tags += [t for t in action.tags if t not in outcome.tags]
    elif outcome.decides_target:
        return  # the first rule that chose where the money goes wins
    elif kind == "set_category":
        outcome.category_id = action.value
    elif kind == "transfer":
        if action.value == subject.account_id:
            outcome.notes.append(f"rule '{rule_name}': a transfer to the same account is skipped")
        else:
            outcome.transfer_account_id = action.value
    elif kind == "split":
        amounts = split_amounts(subject.amount_minor, action.parts, subject.exponent)
        if amounts is None:
            outcome.notes.append(f"rule '{rule_name}': split skipped, its parts exceed the amount")
            return
        sign = -1 if subject.amount_minor > 0 else 1  # category postings mirror the account
        outcome.splits = [
            SplitLine(part.category_id, sign * amount, part.memo)
            for part, amount in zip(action.parts, amounts, strict=True)
            if amount
        ]
