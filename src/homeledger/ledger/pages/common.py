"""What every ledger page needs: the household's accounts and categories for pickers
and for naming postings, looked up once per request."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.accounts.models import Kind
from homeledger.accounts.schemas import AccountRead, CategoryRead
from homeledger.kit.tenancy import Ctx
from homeledger.ledger.pages.rows import Labels, Row, describe
from homeledger.ledger.schemas import TransactionRead

TYPE_LABELS = {
    "checking": "Checking",
    "savings": "Savings",
    "cash": "Cash",
    "credit_card": "Credit cards",
    "loan": "Loans",
    "investment": "Investments",
}


@dataclass(frozen=True)
class Lookups:
    accounts: dict[str, AccountRead]
    categories: list[CategoryRead]
    labels: Labels
    uncategorised: frozenset[str]

    @property
    def open_accounts(self) -> list[AccountRead]:
        return [a for a in self.accounts.values() if not a.is_archived]

    @property
    def account_options(self) -> list[tuple[str, str]]:
        return [(a.id, f"{a.name} ({a.currency})") for a in self.open_accounts]

    @property
    def category_paths(self) -> dict[str, str]:
        return {c.id: c.path for c in self.categories}

    @property
    def by_path(self) -> dict[str, str]:
        """Lower-cased name -> id of what an entry's lines may name: categories, and the
        equity accounts (so an opening balance can be edited like any entry)."""
        names = {
            label.casefold(): account_id
            for account_id, (label, kind) in self.labels.items()
            if kind is Kind.EQUITY
        }
        names.update({c.path.casefold(): c.id for c in self.categories if not c.is_archived})
        return names

    @property
    def line_names(self) -> dict[str, str]:
        """Id -> name of every account a line can show (categories and equity)."""
        return {
            account_id: label
            for account_id, (label, kind) in self.labels.items()
            if kind not in (Kind.ASSET, Kind.LIABILITY)
        }

    @property
    def category_options(self) -> list[tuple[str, str]]:
        return [(c.id, c.path) for c in self.categories]

    @property
    def path_list(self) -> list[str]:
        return [c.path for c in self.categories if not c.is_archived]

    def rows(
        self,
        items: list[TransactionRead],
        account_id: str | None = None,
        balances: list[int] | None = None,
    ) -> list[Row]:
        return [
            describe(
                txn,
                self.labels,
                account_id,
                balances[i] if balances else None,
                self.uncategorised,
            )
            for i, txn in enumerate(items)
        ]


def lookups(session: Session, ctx: Ctx) -> Lookups:
    every = accounts.list_accounts(session, ctx, include_archived=True)
    categories = accounts.list_categories(session, ctx)
    labels = accounts.labels(session, ctx)
    unsorted = frozenset(accounts.uncategorised_ids(session, ctx))
    return Lookups({a.id: a for a in every}, categories, labels, unsorted)
