"""Accounts (asset/liability) and categories (income/expense) of a household."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from homeledger.accounts import calc
from homeledger.accounts.errors import AccountInUse, DuplicateName, InvalidTree
from homeledger.accounts.models import TYPE_KINDS, Account, AccountType, Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.accounts.schemas import (
    AccountCreate,
    AccountRead,
    AccountUpdate,
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
)
from homeledger.db.base import new_id
from homeledger.kit import audit, crypto
from homeledger.kit.errors import InvalidInput, NotFound
from homeledger.kit.money import check_currency, to_minor
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger.repository import LedgerRepository

BALANCE_SHEET = {Kind.ASSET, Kind.LIABILITY}
CATEGORY_KINDS = {Kind.INCOME, Kind.EXPENSE}


def create_system_accounts(session: Session, household_id: str) -> None:
    """Every household has the two equity accounts the ledger balances through."""
    repo = AccountRepository(session)
    for type_, name in (
        (AccountType.OPENING_BALANCES, "Opening balances"),
        (AccountType.CURRENCY_EXCHANGE, "Currency exchange"),
    ):
        repo.add(Account(household_id=household_id, name=name, kind=Kind.EQUITY, type=type_))


def system_account(session: Session, ctx: Ctx, type_: AccountType) -> Account:
    return AccountRepository(session).system_account(ctx.household_id, type_)


# Asset and liability accounts


def _read(account: Account) -> AccountRead:
    return AccountRead(
        id=account.id,
        name=account.name,
        kind=account.kind,
        type=AccountType(account.type),
        currency=account.currency,
        institution=account.institution,
        account_number_masked=("••••" + account.number_last4) if account.number_last4 else "",
        note=account.note,
        is_archived=account.is_archived,
        created_at=account.created_at,
    )


def _set_number(account: Account, number: str | None, key: bytes) -> None:
    if not number:
        account.number_encrypted, account.number_last4 = None, ""
        return
    # The id is the associated data: a ciphertext copied to another row fails to decrypt.
    account.number_encrypted = crypto.encrypt(key, number, account.id.encode())
    account.number_last4 = number[-4:]


def _ensure_unique_name(
    session: Session, ctx: Ctx, name: str, kinds: set[Kind], skip: str = ""
) -> None:
    for other in AccountRepository(session).of_kinds(ctx, kinds):
        if other.id != skip and other.name.casefold() == name.casefold():
            raise DuplicateName(f"an account named '{name}' already exists", field="name")


def create_account(session: Session, ctx: Ctx, data: AccountCreate, key: bytes) -> AccountRead:
    from homeledger.ledger.service import post_opening_balance  # the ledger builds on accounts

    ctx.require(Role.EDITOR)
    type_ = AccountType(data.type)
    allowed = TYPE_KINDS[type_]
    if data.kind is not None and Kind(data.kind) not in allowed:
        raise InvalidInput("kind", f"a {type_.value} account cannot be a {data.kind}")
    kind = Kind(data.kind) if data.kind else min(allowed)
    currency = check_currency(data.currency)
    _ensure_unique_name(session, ctx, data.name, BALANCE_SHEET)
    account = Account(
        id=new_id(),
        household_id=ctx.household_id,
        name=data.name,
        kind=kind,
        type=type_,
        currency=currency,
        institution=data.institution,
        note=data.note,
    )
    _set_number(account, data.account_number, key)
    AccountRepository(session).add(account)
    opening = to_minor(Decimal(data.opening_balance), currency, "opening_balance")
    if opening:
        post_opening_balance(session, ctx, account, opening, data.opening_date or dt.date.today())
    audit.record(
        session,
        "account.created",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=account.id,
    )
    return _read(account)


def get_account_model(
    session: Session, ctx: Ctx, account_id: str, kinds: set[Kind] = BALANCE_SHEET
) -> Account:
    account = AccountRepository(session).get(ctx, account_id)
    if account is None or Kind(account.kind) not in kinds:
        raise NotFound("no such account")
    return account


def get_account(session: Session, ctx: Ctx, account_id: str) -> AccountRead:
    return _read(get_account_model(session, ctx, account_id))


def list_accounts(session: Session, ctx: Ctx, include_archived: bool = False) -> list[AccountRead]:
    repo = AccountRepository(session)
    return [_read(a) for a in repo.of_kinds(ctx, BALANCE_SHEET, include_archived)]


def update_account(
    session: Session, ctx: Ctx, account_id: str, data: AccountUpdate, key: bytes
) -> AccountRead:
    ctx.require(Role.EDITOR)
    account = get_account_model(session, ctx, account_id)
    if data.name is not None:
        _ensure_unique_name(session, ctx, data.name, BALANCE_SHEET, skip=account.id)
        account.name = data.name
    if data.institution is not None:
        account.institution = data.institution
    if data.note is not None:
        account.note = data.note
    if "account_number" in data.model_fields_set:
        _set_number(account, data.account_number, key)
    if data.is_archived is not None and data.is_archived != account.is_archived:
        account.is_archived = data.is_archived
        action = "account.archived" if data.is_archived else "account.unarchived"
        audit.record(
            session, action, user_id=ctx.user_id, household_id=ctx.household_id, target=account.id
        )
    session.flush()
    return _read(account)


def reveal_account_number(session: Session, ctx: Ctx, account_id: str, key: bytes) -> str:
    """The full number, for an editor who asks for it; the reveal is audited."""
    ctx.require(Role.EDITOR)
    account = get_account_model(session, ctx, account_id)
    if account.number_encrypted is None:
        return ""
    audit.record(
        session,
        "account.number_revealed",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=account.id,
    )
    return crypto.decrypt(key, account.number_encrypted, account.id.encode())


def delete_account(session: Session, ctx: Ctx, account_id: str) -> None:
    ctx.require(Role.EDITOR)
    account = get_account_model(session, ctx, account_id)
    repo = AccountRepository(session)
    if repo.has_postings(account.id):
        raise AccountInUse("the account has transactions; archive it instead")
    repo.delete(account)
    audit.record(
        session,
        "account.deleted",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=account_id,
    )


# Categories


def _nodes(session: Session, ctx: Ctx) -> list[calc.Node]:
    categories = AccountRepository(session).of_kinds(ctx, CATEGORY_KINDS)
    return [calc.Node(c.id, c.name, c.parent_id) for c in categories]


def _category_reads(categories: list[Account]) -> list[CategoryRead]:
    names = calc.paths(calc.Node(c.id, c.name, c.parent_id) for c in categories)
    reads = [
        CategoryRead(
            id=c.id,
            name=c.name,
            kind=c.kind,
            parent_id=c.parent_id,
            path=names[c.id],
            is_archived=c.is_archived,
        )
        for c in categories
    ]
    return sorted(reads, key=lambda r: (r.kind, r.path.casefold()))


def labels(session: Session, ctx: Ctx) -> dict[str, tuple[str, Kind]]:
    """Every account of the household (all kinds) by id: its display name (categories as
    'Food:Groceries') and kind. One query; for showing postings."""
    every = AccountRepository(session).of_kinds(ctx, set(Kind))
    paths = calc.paths(calc.Node(a.id, a.name, a.parent_id) for a in every)
    return {a.id: (paths[a.id], Kind(a.kind)) for a in every}


def uncategorised_ids(session: Session, ctx: Ctx) -> list[str]:
    """The household's Uncategorised categories (none until something needed one)."""
    categories = AccountRepository(session).of_kinds(ctx, CATEGORY_KINDS)
    return [c.id for c in categories if c.type == AccountType.UNCATEGORISED]


def uncategorised_category(session: Session, ctx: Ctx, kind: Kind) -> str:
    """The top-level 'Uncategorised' income or expense category, created on first use:
    money that is not sorted yet still balances, and shows up as needing attention."""
    ctx.require(Role.EDITOR)
    if kind not in CATEGORY_KINDS:
        raise InvalidInput("kind", "only income and expense have an Uncategorised category")
    repo = AccountRepository(session)
    categories = repo.of_kinds(ctx, {kind})
    for category in categories:
        if category.type == AccountType.UNCATEGORISED:
            return category.id
    for category in categories:  # one the user made by that name becomes it
        if category.parent_id is None and category.name.casefold() == "uncategorised":
            category.type = AccountType.UNCATEGORISED
            session.flush()
            return category.id
    account = repo.add(
        Account(
            household_id=ctx.household_id,
            name="Uncategorised",
            kind=kind,
            type=AccountType.UNCATEGORISED,
        )
    )
    return account.id


def list_categories(session: Session, ctx: Ctx) -> list[CategoryRead]:
    return _category_reads(AccountRepository(session).of_kinds(ctx, CATEGORY_KINDS))


def get_category(session: Session, ctx: Ctx, category_id: str) -> CategoryRead:
    get_account_model(session, ctx, category_id, CATEGORY_KINDS)
    return next(c for c in list_categories(session, ctx) if c.id == category_id)


def category_with_descendants(session: Session, ctx: Ctx, category_id: str) -> set[str]:
    get_account_model(session, ctx, category_id, CATEGORY_KINDS)
    return calc.descendants(category_id, _nodes(session, ctx))


def _check_parent(session: Session, ctx: Ctx, parent_id: str, kind: str) -> None:
    parent = get_account_model(session, ctx, parent_id, CATEGORY_KINDS)
    if parent.kind != kind:
        raise InvalidTree(
            f"an {kind} category cannot sit under an {parent.kind} one", field="parent_id"
        )


def _ensure_unique_sibling(
    session: Session, ctx: Ctx, name: str, parent_id: str | None, kind: str, skip: str = ""
) -> None:
    for other in AccountRepository(session).of_kinds(ctx, {Kind(kind)}):
        if (
            other.id != skip
            and other.parent_id == parent_id
            and other.name.casefold() == name.casefold()
        ):
            raise DuplicateName(f"'{name}' already exists at that level", field="name")


def create_category(session: Session, ctx: Ctx, data: CategoryCreate) -> CategoryRead:
    ctx.require(Role.EDITOR)
    if data.parent_id is not None:
        _check_parent(session, ctx, data.parent_id, data.kind)
    _ensure_unique_sibling(session, ctx, data.name, data.parent_id, data.kind)
    account = AccountRepository(session).add(
        Account(
            household_id=ctx.household_id,
            name=data.name,
            kind=data.kind,
            type=AccountType.CATEGORY,
            parent_id=data.parent_id,
        )
    )
    return get_category(session, ctx, account.id)


def update_category(
    session: Session, ctx: Ctx, category_id: str, data: CategoryUpdate
) -> CategoryRead:
    ctx.require(Role.EDITOR)
    category = get_account_model(session, ctx, category_id, CATEGORY_KINDS)
    parent_id = category.parent_id
    if data.move_to_top:
        parent_id = None
    elif data.parent_id is not None:
        _check_parent(session, ctx, data.parent_id, category.kind)
        if calc.would_cycle(category.id, data.parent_id, _nodes(session, ctx)):
            raise InvalidTree(
                "a category cannot move under itself or its own subcategory", field="parent_id"
            )
        parent_id = data.parent_id
    name = data.name if data.name is not None else category.name
    _ensure_unique_sibling(session, ctx, name, parent_id, category.kind, skip=category.id)
    category.name, category.parent_id = name, parent_id
    if data.is_archived is not None:
        category.is_archived = data.is_archived
    session.flush()
    return get_category(session, ctx, category.id)


def merge_category(session: Session, ctx: Ctx, source_id: str, into_id: str) -> CategoryRead:
    """Moves every posting and subcategory of `source` to `into`, then deletes `source`."""
    ctx.require(Role.EDITOR)
    source = get_account_model(session, ctx, source_id, CATEGORY_KINDS)
    target = get_account_model(session, ctx, into_id, CATEGORY_KINDS)
    if source.id == target.id:
        raise InvalidTree("a category cannot merge into itself", field="into_id")
    if source.kind != target.kind:
        raise InvalidTree("income and expense categories cannot merge", field="into_id")
    if target.id in calc.descendants(source.id, _nodes(session, ctx)):
        raise InvalidTree("a category cannot merge into its own subcategory", field="into_id")
    repo = AccountRepository(session)
    moved = repo.repoint_postings(ctx, source.id, target.id)
    LedgerRepository(session).move_totals(ctx, source.id, target.id)
    repo.reparent_children(ctx, source.id, target.id)
    session.flush()
    session.expire(source)
    repo.delete(source)
    audit.record(
        session,
        "category.merged",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=target.id,
        source=source_id,
        postings=moved,
    )
    return get_category(session, ctx, target.id)


def delete_category(session: Session, ctx: Ctx, category_id: str) -> None:
    ctx.require(Role.EDITOR)
    category = get_account_model(session, ctx, category_id, CATEGORY_KINDS)
    repo = AccountRepository(session)
    if repo.has_postings(category.id):
        raise AccountInUse("the category has transactions; merge it into another instead")
    if len(calc.descendants(category.id, _nodes(session, ctx))) > 1:
        raise AccountInUse("the category has subcategories; move or merge them first")
    repo.delete(category)
