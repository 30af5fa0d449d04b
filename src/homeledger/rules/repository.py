"""Every SQL statement about rules and payee aliases."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Select, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from homeledger.db.base import new_id, utcnow
from homeledger.kit.tenancy import Ctx
from homeledger.ledger.models import Payee, Posting, Transaction
from homeledger.rules.models import PayeeAlias, Rule


class RuleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def scoped(self, ctx: Ctx) -> Select[Rule]:
        return select(Rule).where(Rule.household_id == ctx.household_id)

    def all(self, ctx: Ctx, active_only: bool = False) -> list[Rule]:
        query = self.scoped(ctx)
        if active_only:
            query = query.where(Rule.is_active.is_(True))
        return list(self.session.scalars(query.order_by(Rule.position, Rule.created_at, Rule.id)))

    def get(self, ctx: Ctx, rule_id: str) -> Rule | None:
        return self.session.scalars(self.scoped(ctx).where(Rule.id == rule_id)).one_or_none()

    def next_position(self, ctx: Ctx) -> int:
        query = select(func.max(Rule.position)).where(Rule.household_id == ctx.household_id)
        highest = self.session.scalar(query)
        return 0 if highest is None else int(highest) + 1

    def add(self, rule: Rule) -> Rule:
        self.session.add(rule)
        self.session.flush()
        return rule

    def delete(self, rule: Rule) -> None:
        self.session.delete(rule)
        self.session.flush()


class AliasRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def scoped(self, ctx: Ctx) -> Select[PayeeAlias]:
        return select(PayeeAlias).where(PayeeAlias.household_id == ctx.household_id)

    def all(self, ctx: Ctx) -> list[PayeeAlias]:
        return list(self.session.scalars(self.scoped(ctx).order_by(PayeeAlias.raw_key)))

    def get(self, ctx: Ctx, alias_id: str) -> PayeeAlias | None:
        query = self.scoped(ctx).where(PayeeAlias.id == alias_id)
        return self.session.scalars(query).one_or_none()

    def by_keys(self, ctx: Ctx, keys: Iterable[str]) -> dict[str, PayeeAlias]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        query = self.scoped(ctx).where(PayeeAlias.raw_key.in_(wanted))
        return {a.raw_key: a for a in self.session.scalars(query)}

    def add(self, alias: PayeeAlias) -> PayeeAlias:
        self.session.add(alias)
        self.session.flush()
        return alias

    def delete(self, alias: PayeeAlias) -> None:
        self.session.delete(alias)
        self.session.flush()

    def remember_last(self, ctx: Ctx, last: Sequence[tuple[str, str]]) -> None:
        """(raw_key, transaction_id): the newest transaction an import made for each key;
        creates the learned alias the first time a key is seen."""
        if not last:
            return
        now = utcnow()
        rows = [
            {
                "id": new_id(),
                "household_id": ctx.household_id,
                "raw_key": key,
                "is_manual": False,
                "last_transaction_id": transaction_id,
                "created_at": now,
                "updated_at": now,
            }
            for key, transaction_id in last
        ]
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(PayeeAlias)
        statement = statement.on_conflict_do_update(
            index_elements=["household_id", "raw_key"],
            set_={
                "last_transaction_id": statement.excluded.last_transaction_id,
                "updated_at": statement.excluded.updated_at,
            },
        )
        self.session.execute(statement, rows)

    def store_learned(
        self, ctx: Ctx, learned: Sequence[tuple[str, str | None, str | None]]
    ) -> None:
        """(raw_key, payee, category_id) read back from the user's corrections."""
        for key, payee, category_id in learned:
            self.session.execute(
                update(PayeeAlias)
                .where(
                    PayeeAlias.household_id == ctx.household_id,
                    PayeeAlias.raw_key == key,
                    PayeeAlias.is_manual.is_(False),
                )
                .values(payee=payee, category_id=category_id, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )

    def transactions_as_left(
        self, ctx: Ctx, transaction_ids: Iterable[str]
    ) -> dict[str, tuple[str | None, list[str]]]:
        """Per transaction: its payee name and the accounts of its postings, as the user
        has left them since an import made them."""
        ids = sorted(set(transaction_ids))
        if not ids:
            return {}
        query = (
            select(Transaction.id, Payee.name, Posting.account_id)
            .join(Posting, Posting.transaction_id == Transaction.id)
            .outerjoin(Payee, Payee.id == Transaction.payee_id)
            .where(Transaction.household_id == ctx.household_id, Transaction.id.in_(ids))
            .order_by(Transaction.id, Posting.position)
        )
        found: dict[str, tuple[str | None, list[str]]] = {}
        for transaction_id, payee, account_id in self.session.execute(query):
            found.setdefault(transaction_id, (payee, []))[1].append(account_id)
        return found
