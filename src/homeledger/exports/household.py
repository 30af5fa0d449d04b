"""The whole household as one JSON document, and its restore into an empty household.

The dump streams (transactions are written a page at a time); the restore reads the
document, checks it (every transaction balances, every id it names is in it), maps
every id to a new one and writes through the ledger's bulk path, so the restored
household has the same balances and `homeledger check` finds nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from homeledger.accounts.models import Account, AccountType, Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.db.base import new_id, utcnow
from homeledger.exports.schemas import (
    DOCUMENT_FORMAT,
    DOCUMENT_VERSION,
    AccountDoc,
    HouseholdDocument,
    RestoreResult,
)
from homeledger.imports.models import ImportProfile
from homeledger.kit import crypto
from homeledger.kit.errors import Conflict, InvalidInput
from homeledger.kit.money import check_currency, format_plain, to_minor
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import calc
from homeledger.ledger.models import Payee, Tag, Transaction
from homeledger.ledger.repository import LedgerRepository
from homeledger.ledger.schemas import TransactionRead
from homeledger.reconciliation.models import Reconciliation
from homeledger.rules.models import PayeeAlias, Rule
from homeledger.users import service as users

RESTORE_CHUNK = 1000


def _account_doc(account: Account, key: bytes) -> dict[str, Any]:
    number = None
    if account.number_encrypted is not None:
        number = crypto.decrypt(key, account.number_encrypted, account.id.encode())
    return AccountDoc(
        id=account.id,
        name=account.name,
        kind=account.kind,
        type=account.type,
        parent_id=account.parent_id,
        currency=account.currency,
        institution=account.institution,
        account_number=number,
        note=account.note,
        is_archived=account.is_archived,
    ).model_dump(mode="json")


def _ordered(accounts: list[Account]) -> list[Account]:
    """Parents before children, so a restore can create them in this order."""
    by_id = {a.id: a for a in accounts}
    done: set[str] = set()
    out: list[Account] = []

    def visit(account: Account) -> None:
        if account.id in done:
            return
        if account.parent_id and account.parent_id in by_id:
            visit(by_id[account.parent_id])
        done.add(account.id)
        out.append(account)

    for account in accounts:
        visit(account)
    return out


def dump(
    session: Session, ctx: Ctx, out: IO[str], key: bytes, transactions: Iterable[TransactionRead]
) -> None:
    household = users.get_household(session, ctx)
    accounts = _ordered(AccountRepository(session).of_kinds(ctx, set(Kind)))
    ledger = LedgerRepository(session)

    def field(name: str, value: Any, first: bool = False) -> None:
        out.write(("" if first else ",") + json.dumps(name) + ":" + json.dumps(value, default=str))

    out.write("{")
    field("format", DOCUMENT_FORMAT, first=True)
    field("version", DOCUMENT_VERSION)
    field("exported_at", utcnow().isoformat())
    field(
        "household",
        {
            "name": household.name,
            "base_currency": household.base_currency,
            "locale": household.locale,
        },
    )
    field("accounts", [_account_doc(a, key) for a in accounts])
    field("payees", [{"id": p.id, "name": p.name} for p in ledger.payees(ctx)])
    tags = ledger.tags(ctx)
    tag_ids = {t.name: t.id for t in tags}
    field("tags", [{"id": t.id, "name": t.name} for t in tags])
    out.write(',"transactions":[')
    for index, txn in enumerate(transactions):
        document = {
            "id": txn.id,
            "date": txn.date.isoformat(),
            "payee_id": txn.payee_id,
            "memo": txn.memo,
            "tag_ids": [tag_ids[name] for name in txn.tags if name in tag_ids],
            "postings": [
                {
                    "account_id": p.account_id,
                    "amount": p.amount,
                    "currency": p.currency,
                    "status": p.status.value,
                    "memo": p.memo,
                }
                for p in txn.postings
            ],
        }
        out.write(("," if index else "") + json.dumps(document))
    out.write("]")
    rules = session.scalars(select(Rule).where(Rule.household_id == ctx.household_id))
    field(
        "rules",
        [
            {
                "name": r.name,
                "position": r.position,
                "is_active": r.is_active,
                "match_all": r.match_all,
                "stop": r.stop,
                "conditions": json.loads(r.conditions),
                "actions": json.loads(r.actions),
            }
            for r in rules
        ],
    )
    aliases = session.scalars(select(PayeeAlias).where(PayeeAlias.household_id == ctx.household_id))
    field(
        "payee_aliases",
        [
            {
                "raw_key": a.raw_key,
                "payee": a.payee,
                "category_id": a.category_id,
                "is_manual": a.is_manual,
            }
            for a in aliases
            if a.payee or a.category_id
        ],
    )
    profiles = session.scalars(
        select(ImportProfile).where(ImportProfile.household_id == ctx.household_id)
    )
    field(
        "import_profiles",
        [
            {
                "account_id": p.account_id,
                "institution": p.institution,
                "name": p.name,
                "profile": json.loads(p.profile_json),
            }
            for p in profiles
        ],
    )
    finished = session.scalars(
        select(Reconciliation).where(
            Reconciliation.household_id == ctx.household_id, Reconciliation.status == "finished"
        )
    )
    field(
        "reconciliations",
        [
            {
                "account_id": r.account_id,
                "statement_date": r.statement_date.isoformat(),
                "statement_balance": format_plain(r.statement_balance_minor, r.currency),
                "currency": r.currency,
                "reconciled_count": r.reconciled_count,
                "finished_at": r.finished_at.isoformat() if r.finished_at else None,
            }
            for r in finished
        ],
    )
    out.write("}")


# Restore


def _require_empty(session: Session, ctx: Ctx) -> None:
    has_transactions = (
        session.scalars(
            select(Transaction.id).where(Transaction.household_id == ctx.household_id).limit(1)
        ).first()
        is not None
    )
    own = [
        a
        for a in AccountRepository(session).of_kinds(ctx, set(Kind))
        if a.type not in (AccountType.OPENING_BALANCES, AccountType.CURRENCY_EXCHANGE)
    ]
    if has_transactions or own:
        raise Conflict("restore needs an empty household: create a new one and restore into it")


def _remap(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_remap(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _remap(v, ids) for k, v in value.items()}
    return value


def restore(session: Session, ctx: Ctx, document: HouseholdDocument, key: bytes) -> RestoreResult:
    ctx.require(Role.OWNER)
    _require_empty(session, ctx)
    household = users.get_household(session, ctx)
    household.base_currency = check_currency(document.household.base_currency, "household")
    household.locale = document.household.locale
    ids = _restore_accounts(session, ctx, document, key)
    accounts = {a.id: a for a in AccountRepository(session).of_kinds(ctx, set(Kind))}
    now = utcnow()
    for kind, model in (("payees", Payee), ("tags", Tag)):
        items = getattr(document, kind)
        names = [item.name for item in items]
        if len(set(names)) != len(names):
            raise InvalidInput(kind, "names must be unique")
        if kind == "tags" and any(len(name) > 60 for name in names):
            raise InvalidInput(kind, "a tag is at most 60 characters")
        for item in items:
            ids[item.id] = new_id()
        if items:
            session.execute(
                model.__table__.insert(),  # type: ignore[attr-defined]
                [
                    {
                        "id": ids[i.id],
                        "household_id": ctx.household_id,
                        "name": i.name,
                        "created_at": now,
                    }
                    for i in items
                ],
            )
    for chunk in _chunks(document.transactions, RESTORE_CHUNK):
        _restore_transactions(session, ctx, chunk, ids, accounts)
    _restore_rest(session, ctx, document, ids)
    session.flush()
    return RestoreResult(
        accounts=len(document.accounts),
        transactions=len(document.transactions),
        payees=len(document.payees),
        tags=len(document.tags),
        rules=len(document.rules),
        reconciliations=len(document.reconciliations),
    )


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _restore_accounts(
    session: Session, ctx: Ctx, document: HouseholdDocument, key: bytes
) -> dict[str, str]:
    repo = AccountRepository(session)
    system = {
        a.type: a.id
        for a in repo.of_kinds(ctx, {Kind.EQUITY})
        if a.type in (AccountType.OPENING_BALANCES, AccountType.CURRENCY_EXCHANGE)
    }
    known = {a.id for a in document.accounts}
    types = {t.value for t in AccountType}
    for index, item in enumerate(document.accounts):
        if item.parent_id is not None and item.parent_id not in known:
            raise InvalidInput(f"accounts[{index}].parent_id", "names no account of the document")
        if item.type not in types:
            raise InvalidInput(f"accounts[{index}].type", f"'{item.type}' is not an account type")
    ids: dict[str, str] = {}
    pending = list(document.accounts)
    while pending:
        ready = [a for a in pending if a.parent_id is None or a.parent_id in ids]
        if not ready:
            raise InvalidInput("accounts", "the categories form a cycle")
        for item in ready:
            if item.type in system and item.kind == Kind.EQUITY.value:
                ids[item.id] = system[item.type]
                continue
            account = Account(
                id=new_id(),
                household_id=ctx.household_id,
                name=item.name,
                kind=item.kind,
                type=item.type,
                parent_id=ids.get(item.parent_id or ""),
                currency=check_currency(item.currency) if item.currency else None,
                institution=item.institution,
                note=item.note,
                is_archived=item.is_archived,
            )
            if item.account_number:
                # The id is the associated data, as when the account was first saved.
                account.number_encrypted = crypto.encrypt(
                    key, item.account_number, account.id.encode()
                )
                account.number_last4 = item.account_number[-4:]
            repo.add(account)
            ids[item.id] = account.id
        pending = [a for a in pending if a.id not in ids]
    return ids


def _restore_transactions(
    session: Session,
    ctx: Ctx,
    chunk: list[Any],
    ids: dict[str, str],
    accounts: dict[str, Account],
) -> None:
    now = utcnow()
    transactions, postings, links = [], [], []
    for txn in chunk:
        transaction_id = new_id()
        built = []
        for position, p in enumerate(txn.postings):
            account = accounts.get(ids.get(p.account_id, ""))
            where = f"transaction {txn.id}, posting {position}"
            if account is None:
                raise InvalidInput(where, "names no account of the document")
            if account.currency is not None and account.currency != p.currency:
                raise InvalidInput(where, f"'{account.name}' holds {account.currency}")
            built.append(
                {
                    "id": new_id(),
                    "transaction_id": transaction_id,
                    "household_id": ctx.household_id,
                    "account_id": account.id,
                    "date": txn.date,
                    "amount_minor": to_minor(Decimal(p.amount), p.currency, where),
                    "currency": p.currency,
                    "status": p.status,
                    "memo": p.memo,
                    "position": position,
                }
            )
        off = calc.imbalance((b["amount_minor"], b["currency"]) for b in built)
        if off:
            raise InvalidInput(
                f"transaction {txn.id}", f"does not balance: {calc.describe_imbalance(off)}"
            )
        postings += built
        transactions.append(
            {
                "id": transaction_id,
                "household_id": ctx.household_id,
                "date": txn.date,
                "payee_id": ids.get(txn.payee_id) if txn.payee_id else None,
                "memo": txn.memo,
                "version": 1,
                "created_by": ctx.user_id,
                "created_at": now,
                "updated_at": now,
            }
        )
        links += [
            {"transaction_id": transaction_id, "tag_id": ids[t]}
            for t in dict.fromkeys(txn.tag_ids)
            if t in ids
        ]
    LedgerRepository(session).add_bulk(transactions, postings, links)


def _restore_rest(
    session: Session, ctx: Ctx, document: HouseholdDocument, ids: dict[str, str]
) -> None:
    household = ctx.household_id
    for rule in document.rules:
        session.add(
            Rule(
                household_id=household,
                name=rule.name,
                position=rule.position,
                is_active=rule.is_active,
                match_all=rule.match_all,
                stop=rule.stop,
                conditions=json.dumps(_remap(rule.conditions, ids)),
                actions=json.dumps(_remap(rule.actions, ids)),
            )
        )
    for alias in document.payee_aliases:
        session.add(
            PayeeAlias(
                household_id=household,
                raw_key=alias.raw_key,
                payee=alias.payee,
                category_id=ids.get(alias.category_id or ""),
                is_manual=alias.is_manual,
            )
        )
    for profile in document.import_profiles:
        session.add(
            ImportProfile(
                household_id=household,
                account_id=ids.get(profile.account_id or ""),
                institution=profile.institution,
                name=profile.name,
                profile_json=json.dumps(profile.profile, sort_keys=True),
            )
        )
    for item in document.reconciliations:
        if item.account_id not in ids:
            continue
        session.add(
            Reconciliation(
                household_id=household,
                account_id=ids[item.account_id],
                statement_date=item.statement_date,
                statement_balance_minor=to_minor(Decimal(item.statement_balance), item.currency),
                currency=item.currency,
                status="finished",
                reconciled_count=item.reconciled_count,
                created_by=ctx.user_id,
                finished_at=item.finished_at,
            )
        )
