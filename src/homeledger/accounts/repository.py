"""Every SQL statement about accounts and categories."""

from __future__ import annotations

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from homeledger.accounts.models import Account, AccountType, Kind
from homeledger.kit.tenancy import Ctx
from homeledger.ledger.models import Posting


class AccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def scoped(self, ctx: Ctx) -> Select[Account]:
        return select(Account).where(Account.household_id == ctx.household_id)

    def get(self, ctx: Ctx, account_id: str) -> Account | None:
        query = self.scoped(ctx).where(Account.id == account_id)
        return self.session.scalars(query).one_or_none()

    def many(self, ctx: Ctx, account_ids: set[str]) -> dict[str, Account]:
        query = self.scoped(ctx).where(Account.id.in_(account_ids))
        return {a.id: a for a in self.session.scalars(query)}

    def of_kinds(self, ctx: Ctx, kinds: set[Kind], include_archived: bool = True) -> list[Account]:
        query = self.scoped(ctx).where(Account.kind.in_([k.value for k in kinds]))
        if not include_archived:
            query = query.where(Account.is_archived.is_(False))
        return list(self.session.scalars(query.order_by(Account.name, Account.id)))

    def system_account(self, household_id: str, type_: AccountType) -> Account:
        query = select(Account).where(
            Account.household_id == household_id, Account.type == type_.value
        )
        return self.session.scalars(query).one()

    def add(self, account: Account) -> Account:
        self.session.add(account)
        self.session.flush()
        return account

    def has_postings(self, account_id: str) -> bool:
        query = select(Posting.id).where(Posting.account_id == account_id).limit(1)
        return self.session.scalars(query).first() is not None

    def repoint_postings(self, ctx: Ctx, source_id: str, target_id: str) -> int:
        result = self.session.execute(
            update(Posting)
            .where(Posting.household_id == ctx.household_id, Posting.account_id == source_id)
            .values(account_id=target_id)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def reparent_children(self, ctx: Ctx, source_id: str, target_id: str) -> None:
        self.session.execute(
            update(Account)
            .where(Account.household_id == ctx.household_id, Account.parent_id == source_id)
            .values(parent_id=target_id)
        )

    def delete(self, account: Account) -> None:
        self.session.delete(account)
        self.session.flush()
