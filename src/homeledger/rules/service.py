"""Rules and payee aliases: saving them, running them over existing transactions, and
what the import pipeline asks of them (the active rules, remembered payees)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from homeledger.accounts.models import Account, AccountType, Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.kit.errors import NotFound
from homeledger.kit.tenancy import Ctx, Role
from homeledger.rules import matching
from homeledger.rules.errors import InvalidRule
from homeledger.rules.models import PayeeAlias
from homeledger.rules.models import Rule as RuleModel
from homeledger.rules.payees import key_prefixes, payee_key
from homeledger.rules.repository import AliasRepository, RuleRepository
from homeledger.rules.schemas import (
    ActionIn,
    ConditionIn,
    PayeeAliasCreate,
    RuleCreate,
    RuleOrder,
    RuleRead,
    RuleUpdate,
)

SHEET = (Kind.ASSET.value, Kind.LIABILITY.value)
CATEGORY = (Kind.INCOME.value, Kind.EXPENSE.value)


def _conditions(model: RuleModel) -> list[ConditionIn]:
    return [ConditionIn.model_validate(c) for c in json.loads(model.conditions)]


def _actions(model: RuleModel) -> list[ActionIn]:
    return [ActionIn.model_validate(a) for a in json.loads(model.actions)]


def read(model: RuleModel) -> RuleRead:
    return RuleRead(
        id=model.id,
        name=model.name,
        position=model.position,
        is_active=model.is_active,
        match_all=model.match_all,
        stop=model.stop,
        conditions=_conditions(model),
        actions=_actions(model),
        created_at=model.created_at,
        updated_at=model.updated_at,
    )


def to_matching(
    rule_id: str,
    name: str,
    conditions: list[ConditionIn],
    actions: list[ActionIn],
    match_all: bool,
    stop: bool,
) -> matching.Rule:
    return matching.Rule(
        id=rule_id,
        name=name,
        conditions=tuple(
            matching.Condition(c.field, c.op, c.value, c.value_to) for c in conditions
        ),
        actions=tuple(
            matching.Action(
                a.kind,
                a.value,
                tuple(a.tags),
                tuple(
                    matching.SplitPart(
                        p.category_id,
                        Decimal(p.amount) if p.amount is not None else None,
                        Decimal(p.percent) if p.percent is not None else None,
                        p.memo,
                    )
                    for p in a.parts
                ),
            )
            for a in actions
        ),
        match_all=match_all,
        stop=stop,
    )


def _model_rule(model: RuleModel) -> matching.Rule:
    return to_matching(
        model.id, model.name, _conditions(model), _actions(model), model.match_all, model.stop
    )


def _check(
    session: Session, ctx: Ctx, rule: matching.Rule, accounts: Mapping[str, Account] | None = None
) -> None:
    """The rule's shape (pure) and its ids (this household's, of the right kind)."""
    try:
        matching.check_rule(rule)
    except matching.RuleError as error:
        raise InvalidRule(str(error), field=error.where) from None
    every = accounts if accounts is not None else all_accounts(session, ctx)

    def need(account_id: str, kinds: tuple[str, ...], where: str, what: str) -> None:
        account = every.get(account_id)
        if account is None or account.kind not in kinds:
            raise InvalidRule(f"{where}: no such {what} in this household", field=where)

    for index, condition in enumerate(rule.conditions):
        if condition.field == "account":
            need(condition.value, SHEET, f"conditions[{index}].value", "account")
    for index, action in enumerate(rule.actions):
        where = f"actions[{index}]"
        if action.kind == "set_category":
            need(action.value, CATEGORY, f"{where}.value", "category")
        if action.kind == "transfer":
            need(action.value, SHEET, f"{where}.value", "account")
        for number, part in enumerate(action.parts):
            need(part.category_id, CATEGORY, f"{where}.parts[{number}].category_id", "category")


def all_accounts(session: Session, ctx: Ctx) -> dict[str, Account]:
    return {a.id: a for a in AccountRepository(session).of_kinds(ctx, set(Kind))}


def _get(session: Session, ctx: Ctx, rule_id: str) -> RuleModel:
    model = RuleRepository(session).get(ctx, rule_id)
    if model is None:
        raise NotFound("no such rule")
    return model


def list_rules(session: Session, ctx: Ctx) -> list[RuleRead]:
    return [read(m) for m in RuleRepository(session).all(ctx)]


def get_rule(session: Session, ctx: Ctx, rule_id: str) -> RuleRead:
    return read(_get(session, ctx, rule_id))


def create_rule(session: Session, ctx: Ctx, data: RuleCreate) -> RuleRead:
    ctx.require(Role.EDITOR)
    _check(
        session,
        ctx,
        to_matching("new", data.name, data.conditions, data.actions, data.match_all, data.stop),
    )
    repo = RuleRepository(session)
    position = repo.next_position(ctx) if data.position is None else data.position
    if data.position is not None:
        for other in repo.all(ctx):  # make room: positions stay distinct
            if other.position >= position:
                other.position += 1
    model = repo.add(
        RuleModel(
            household_id=ctx.household_id,
            name=data.name,
            position=position,
            is_active=data.is_active,
            match_all=data.match_all,
            stop=data.stop,
            conditions=json.dumps([c.model_dump() for c in data.conditions]),
            actions=json.dumps([a.model_dump() for a in data.actions]),
        )
    )
    return read(model)


def update_rule(session: Session, ctx: Ctx, rule_id: str, data: RuleUpdate) -> RuleRead:
    ctx.require(Role.EDITOR)
    model = _get(session, ctx, rule_id)
    conditions = data.conditions if data.conditions is not None else _conditions(model)
    actions = data.actions if data.actions is not None else _actions(model)
    match_all = data.match_all if data.match_all is not None else model.match_all
    stop = data.stop if data.stop is not None else model.stop
    name = data.name if data.name is not None else model.name
    _check(session, ctx, to_matching(model.id, name, conditions, actions, match_all, stop))
    model.name, model.match_all, model.stop = name, match_all, stop
    model.conditions = json.dumps([c.model_dump() for c in conditions])
    model.actions = json.dumps([a.model_dump() for a in actions])
    if data.is_active is not None:
        model.is_active = data.is_active
    session.flush()
    return read(model)


def delete_rule(session: Session, ctx: Ctx, rule_id: str) -> None:
    ctx.require(Role.EDITOR)
    RuleRepository(session).delete(_get(session, ctx, rule_id))


def reorder(session: Session, ctx: Ctx, data: RuleOrder) -> list[RuleRead]:
    ctx.require(Role.EDITOR)
    rules = {r.id: r for r in RuleRepository(session).all(ctx)}
    if len(set(data.ids)) != len(data.ids) or set(data.ids) != set(rules):
        raise InvalidRule("name every rule of the household exactly once", field="ids")
    for position, rule_id in enumerate(data.ids):
        rules[rule_id].position = position
    session.flush()
    return list_rules(session, ctx)


def active_rules(
    session: Session, ctx: Ctx, accounts: Mapping[str, Account] | None = None
) -> tuple[list[matching.Rule], list[str]]:
    """The rules that run, in order, and notes on rules skipped because a category or
    account they name no longer exists."""
    every = accounts if accounts is not None else all_accounts(session, ctx)
    rules, notes = [], []
    for model in RuleRepository(session).all(ctx, active_only=True):
        rule = _model_rule(model)
        try:
            _check(session, ctx, rule, every)
        except InvalidRule as error:
            notes.append(f"rule '{model.name}' skipped: {error.detail}")
            continue
        rules.append(rule)
    return rules, notes


def selected_rules(
    session: Session, ctx: Ctx, rule_ids: list[str], accounts: Mapping[str, Account]
) -> list[matching.Rule]:
    if not rule_ids:
        return active_rules(session, ctx, accounts)[0]
    chosen = []
    for rule_id in rule_ids:
        rule = _model_rule(_get(session, ctx, rule_id))
        _check(session, ctx, rule, accounts)
        chosen.append(rule)
    return chosen


# Payee aliases


def list_aliases(session: Session, ctx: Ctx) -> list[PayeeAlias]:
    return [a for a in AliasRepository(session).all(ctx) if a.is_manual or a.payee]


def save_alias(session: Session, ctx: Ctx, data: PayeeAliasCreate) -> PayeeAlias:
    """The user says what a bank text means; an existing alias for its key is replaced."""
    ctx.require(Role.EDITOR)
    if data.payee is None and data.category_id is None:
        raise InvalidRule("give a payee, a category or both", field="payee")
    if data.category_id is not None:
        account = all_accounts(session, ctx).get(data.category_id)
        if account is None or account.kind == Kind.EQUITY:
            raise InvalidRule("category_id: no such category or account", field="category_id")
    key = payee_key(data.raw)
    repo = AliasRepository(session)
    alias = repo.by_keys(ctx, [key]).get(key)
    if alias is None:
        alias = repo.add(PayeeAlias(household_id=ctx.household_id, raw_key=key))
    alias.payee, alias.category_id, alias.is_manual = data.payee, data.category_id, True
    session.flush()
    return alias


def delete_alias(session: Session, ctx: Ctx, alias_id: str) -> None:
    ctx.require(Role.EDITOR)
    alias = AliasRepository(session).get(ctx, alias_id)
    if alias is None:
        raise NotFound("no such payee alias")
    AliasRepository(session).delete(alias)


@dataclass(frozen=True, slots=True)
class Remembered:
    """What the household taught about one bank text."""

    payee: str | None
    target_id: str | None
    """A category, or an own account (then the money is a transfer)."""
    how: str


def remembered(
    session: Session,
    ctx: Ctx,
    keys: Iterable[str],
    accounts: Mapping[str, Account],
    account_id: str,
) -> tuple[dict[str, Remembered], list[tuple[str, str | None, str | None]]]:
    """For payee keys of rows about to be imported into `account_id`: the payee and
    category the user gave the same bank text before, from an explicit alias or from
    the last transaction an import made for it (as the user has left it since).

    Also returns (key, payee, target) corrections read back from such transactions, for
    the caller to store when it writes."""
    wanted = set(keys)
    aliases = AliasRepository(session).by_keys(
        ctx, {p for key in wanted for p in key_prefixes(key)}
    )
    left = AliasRepository(session).transactions_as_left(
        ctx,
        (
            a.last_transaction_id
            for a in aliases.values()
            if a.last_transaction_id and not a.is_manual
        ),
    )
    found: dict[str, Remembered] = {}
    learned: list[tuple[str, str | None, str | None]] = []
    for key in wanted:
        alias = next((aliases[p] for p in key_prefixes(key) if p in aliases), None)
        if alias is None:
            continue
        target = alias.category_id if _usable(alias.category_id, accounts, account_id) else None
        if alias.is_manual:
            found[key] = Remembered(alias.payee, target, f"your payee alias '{alias.raw_key}'")
            continue
        payee = alias.payee
        if alias.last_transaction_id in left:
            name, posted = left[alias.last_transaction_id]
            payee = name or payee
            target = _target_of(posted, accounts, account_id) or target
            if (payee, target) != (alias.payee, alias.category_id):
                learned.append((alias.raw_key, payee, target))
        if payee or target:
            found[key] = Remembered(payee, target, f"as you left '{alias.raw_key}' last time")
    return found, learned


def _usable(target_id: str | None, accounts: Mapping[str, Account], account_id: str) -> bool:
    account = accounts.get(target_id or "")
    if account is None or account.is_archived or account.id == account_id:
        return False
    if account.type == AccountType.UNCATEGORISED:
        return False
    if account.kind in SHEET:
        return account.currency == accounts[account_id].currency
    return account.kind in CATEGORY


def _target_of(posted: list[str], accounts: Mapping[str, Account], account_id: str) -> str | None:
    """The category (or transfer account) of a two-posting transaction."""
    if len(posted) != 2:
        return None
    if account_id in posted:
        other = posted[1] if posted[0] == account_id else posted[0]
        return other if _usable(other, accounts, account_id) else None
    categories = [p for p in posted if accounts.get(p) and accounts[p].kind in CATEGORY]
    if len(categories) == 1 and _usable(categories[0], accounts, account_id):
        return categories[0]
    return None
