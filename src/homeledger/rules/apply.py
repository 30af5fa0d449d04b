"""Running rules over existing transactions: a dry run that says which rule matched
which transaction, why, and what would change; or the change itself, made through the
ledger service (versions, balance and reconciled postings are checked there)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts_service
from homeledger.accounts.models import Account, AccountType, Kind
from homeledger.accounts.service import labels
from homeledger.kit.errors import NotFound
from homeledger.kit.money import exponent, format_plain, to_minor
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import service as ledger
from homeledger.ledger.models import PostingStatus
from homeledger.ledger.schemas import (
    PostingIn,
    PostingRead,
    TransactionFilter,
    TransactionRead,
    TransactionUpdate,
)
from homeledger.rules import matching
from homeledger.rules.schemas import RuleMatchRead, RuleRun, RuleRunResult
from homeledger.rules.service import SHEET, all_accounts, selected_rules


def run(session: Session, ctx: Ctx, data: RuleRun, *, dry_run: bool) -> RuleRunResult:
    """Runs the rules over the household's transactions in the filter. A dry run says
    which rule matched which transaction, why, and what would change; otherwise the
    changes are made through the ledger (versions, balance and reconciled checks)."""
    ctx.require(Role.VIEWER if dry_run else Role.EDITOR)
    accounts = all_accounts(session, ctx)
    for index, account_id in enumerate(data.account_id):
        if accounts.get(account_id) is None or accounts[account_id].kind not in SHEET:
            raise NotFound(f"no such account: account_id[{index}]")
    rules = selected_rules(session, ctx, data.rule_ids, accounts)
    names = labels(session, ctx)
    result = RuleRunResult(
        dry_run=dry_run, examined=0, matched=0, changed=0, skipped=[], matches=[]
    )
    query = TransactionFilter(
        account_id=data.account_id, date_from=data.date_from, date_to=data.date_to, limit=500
    )
    cursor: str | None = None
    while True:
        page = ledger.list_transactions(session, ctx, query.model_copy(update={"cursor": cursor}))
        for txn in page.items:
            result.examined += 1
            _run_one(session, ctx, txn, rules, accounts, names, data, result, dry_run)
        if page.next_cursor is None:
            return result
        cursor = page.next_cursor


def _run_one(
    session: Session,
    ctx: Ctx,
    txn: TransactionRead,
    rules: list[matching.Rule],
    accounts: Mapping[str, Account],
    names: Mapping[str, tuple[str, Kind]],
    data: RuleRun,
    result: RuleRunResult,
    dry_run: bool,
) -> None:
    sheet = [p for p in txn.postings if accounts[p.account_id].kind in SHEET]
    others = [p for p in txn.postings if accounts[p.account_id].kind not in SHEET]
    if len(sheet) != 1:
        return  # transfers and multi-account entries are left alone
    if data.only_uncategorised and not any(
        accounts[p.account_id].type == AccountType.UNCATEGORISED for p in others
    ):
        return
    posting = sheet[0]
    amount = to_minor(Decimal(posting.amount), posting.currency)
    subject = matching.Subject(
        account_id=posting.account_id,
        date=txn.date,
        amount_minor=amount,
        exponent=exponent(posting.currency),
        payee=txn.payee or "",
        memo=txn.memo,
        raw_payee=txn.payee or "",
    )
    outcome = matching.apply_rules(rules, subject)
    if not outcome.matches:
        return
    result.matched += 1
    plan = plan_postings(session, ctx, outcome, posting, others, accounts, names, dry_run)
    if plan.skip:
        result.skipped.append(f"{txn.date} {txn.payee or ''}: {plan.skip}".strip())
        return
    changes = list(plan.changes)
    payee = outcome.payee if outcome.payee is not None else txn.payee
    memo = outcome.memo if outcome.memo is not None else txn.memo
    tags = sorted(set(txn.tags) | set(outcome.tags))
    if payee != txn.payee:
        changes.append(f"payee '{txn.payee or ''}' -> '{payee}'")
    if memo != txn.memo:
        changes.append(f"memo -> '{memo}'")
    if tags != sorted(txn.tags):
        changes.append("tags + " + ", ".join(sorted(set(tags) - set(txn.tags))))
    if changes:
        result.changed += 1
        if not dry_run:
            kept = PostingIn(
                account_id=posting.account_id,
                amount=posting.amount,
                currency=posting.currency,
                status=(
                    PostingStatus.CLEARED
                    if posting.status is PostingStatus.RECONCILED
                    else posting.status
                ),
                memo=posting.memo,
            )
            ledger.update(
                session,
                ctx,
                txn.id,
                TransactionUpdate(
                    date=txn.date,
                    payee=payee,
                    memo=memo,
                    postings=[kept, *plan.postings],
                    tags=tags,
                    version=txn.version,
                ),
            )
    if len(result.matches) < data.limit:
        result.matches.append(
            RuleMatchRead(
                transaction_id=txn.id,
                date=txn.date,
                payee=txn.payee,
                amount=posting.amount,
                currency=posting.currency,
                account_id=posting.account_id,
                rules=[m.rule_name for m in outcome.matches],
                explanation=outcome.explain(),
                changes=changes,
                changed=bool(changes),
            )
        )


@dataclass
class PostingPlan:
    postings: list[PostingIn]
    changes: list[str]
    skip: str = ""


def plan_postings(
    session: Session,
    ctx: Ctx,
    outcome: matching.Outcome,
    posting: PostingRead,
    others: list[PostingRead],
    accounts: Mapping[str, Account],
    names: Mapping[str, tuple[str, Kind]],
    dry_run: bool,
) -> PostingPlan:
    """The counter-postings the outcome asks for, against the account posting."""
    currency = posting.currency
    amount = to_minor(Decimal(posting.amount), currency)
    current = sorted((p.account_id, to_minor(Decimal(p.amount), currency)) for p in others)
    wanted: list[tuple[str, int, str]] = []
    if outcome.transfer_account_id:
        target = accounts[outcome.transfer_account_id]
        if target.currency != currency:
            return PostingPlan([], [], f"a transfer to {target.name} needs the same currency")
        wanted = [(target.id, -amount, "")]
    elif outcome.splits:
        wanted = [(s.category_id, s.amount_minor, s.memo) for s in outcome.splits]
        rest = -amount - sum(s.amount_minor for s in outcome.splits)
        if rest:
            home = outcome.category_id or (current[0][0] if len(current) == 1 else None)
            if home is None:
                kind = Kind.EXPENSE if rest > 0 else Kind.INCOME
                home = (
                    "uncategorised"
                    if dry_run
                    else accounts_service.uncategorised_category(session, ctx, kind)
                )
            wanted.append((home, rest, ""))
    elif outcome.category_id:
        wanted = [(outcome.category_id, -amount, "")]
    else:
        keep = [
            PostingIn(account_id=p.account_id, amount=p.amount, currency=currency, memo=p.memo)
            for p in others
        ]
        return PostingPlan(keep, [])
    if sorted((a, v) for a, v, _ in wanted) == current:
        keep = [
            PostingIn(account_id=p.account_id, amount=p.amount, currency=currency, memo=p.memo)
            for p in others
        ]
        return PostingPlan(keep, [])

    def label(account_id: str) -> str:
        return names[account_id][0] if account_id in names else "Uncategorised"

    before = ", ".join(label(a) for a, _ in current) or "nothing"
    after = ", ".join(
        f"{label(a)} {format_plain(abs(v), currency)}" if len(wanted) > 1 else label(a)
        for a, v, _ in wanted
    )
    postings = [
        PostingIn(account_id=a, amount=format_plain(v, currency), currency=currency, memo=m)
        for a, v, m in wanted
    ]
    return PostingPlan(postings, [f"{before} -> {after}"])
