"""A realistic demo household: accounts, nested categories and a year of transactions,
built through the services (so the demo obeys every rule real data does)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Literal

from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.accounts.schemas import AccountCreate, CategoryCreate, UserAccountType
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import service as ledger
from homeledger.ledger.schemas import PostingIn, TransactionCreate, TransferCreate
from homeledger.users import service as users
from homeledger.users.models import User
from homeledger.users.schemas import HouseholdCreate

CATEGORIES: dict[Literal["income", "expense"], dict[str, list[str]]] = {
    "income": {"Salary": [], "Interest": [], "Other income": []},
    "expense": {
        "Housing": ["Rent", "Utilities", "Internet"],
        "Food": ["Groceries", "Restaurants", "Coffee"],
        "Transport": ["Public transport", "Fuel"],
        "Subscriptions": ["Streaming", "Phone"],
        "Health": [],
        "Shopping": ["Clothes", "Electronics"],
        "Leisure": ["Travel", "Sport"],
    },
}
GROCERS = ["Lidl", "Rewe", "Aldi", "Edeka"]
RESTAURANTS = ["Pizzeria Roma", "Sushi Bar Ken", "Cafe Central", "Burger Werk"]


def _money(rng: random.Random, low: float, high: float) -> str:
    cents = rng.randint(int(low * 100), int(high * 100))
    return str(Decimal(cents).scaleb(-2))


def build_demo(
    session: Session, owner: User, key: bytes, name: str = "Demo household", seed: int = 7
) -> str:
    """Builds the household; `key` encrypts account numbers as everywhere else."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    household = users.create_household(
        session, owner, HouseholdCreate(name=name, base_currency="EUR")
    )
    ctx = Ctx(owner.id, household.id, Role.OWNER)
    ids: dict[str, str] = {}
    for kind, tops in CATEGORIES.items():
        for top, children in tops.items():
            parent = accounts.create_category(session, ctx, CategoryCreate(name=top, kind=kind))
            ids[top] = parent.id
            for child in children:
                ids[child] = accounts.create_category(
                    session,
                    ctx,
                    CategoryCreate(name=child, kind=kind, parent_id=parent.id),
                ).id
    end = dt.date.today()
    start = end.replace(year=end.year - 1) + dt.timedelta(days=1)

    def account(
        name: str, type_: UserAccountType, currency: str, opening: str, number: str | None = None
    ) -> str:
        data = AccountCreate(
            name=name,
            type=type_,
            currency=currency,
            opening_balance=opening,
            opening_date=start - dt.timedelta(days=1),
            institution="Demo Bank",
            account_number=number,
        )
        return accounts.create_account(session, ctx, data, key).id

    checking = account("Girokonto", "checking", "EUR", "2450.00", "DE89370400440532013000")
    savings = account("Tagesgeld", "savings", "EUR", "8000.00")
    card = account("Visa card", "credit_card", "EUR", "-320.50")
    cash = account("Wallet", "cash", "EUR", "60.00")
    usd = account("US brokerage", "investment", "USD", "12000.00")

    def spend(day: dt.date, payee: str, category: str, amount: str, source: str = checking) -> None:
        ledger.create(
            session,
            ctx,
            TransactionCreate(
                date=day,
                payee=payee,
                postings=[
                    PostingIn(account_id=source, amount=f"-{amount}", currency="EUR"),
                    PostingIn(account_id=ids[category], amount=amount, currency="EUR"),
                ],
            ),
        )

    day = start
    while day <= end:
        if day.day == 1:
            ledger.create(
                session,
                ctx,
                TransactionCreate(
                    date=day,
                    payee="ACME GmbH",
                    memo="Salary",
                    postings=[
                        PostingIn(account_id=checking, amount="3850.00", currency="EUR"),
                        PostingIn(account_id=ids["Salary"], amount="-3850.00", currency="EUR"),
                    ],
                ),
            )
            spend(day, "Hausverwaltung Meyer", "Rent", "1150.00")
        if day.day == 3:
            spend(day, "Stadtwerke", "Utilities", _money(rng, 85, 140))
            spend(day, "Telekom", "Internet", "39.95")
            spend(day, "Netflix", "Streaming", "13.99", card)
            spend(day, "Vodafone", "Phone", "24.99", card)
        if day.day == 5:
            ledger.transfer(
                session,
                ctx,
                TransferCreate(
                    date=day,
                    from_account_id=checking,
                    to_account_id=savings,
                    amount="400.00",
                    memo="Savings plan",
                ),
            )
        if day.day == 20:
            ledger.transfer(
                session,
                ctx,
                TransferCreate(
                    date=day,
                    from_account_id=checking,
                    to_account_id=card,
                    amount="350.00",
                    memo="Card statement",
                ),
            )
        if day.weekday() in (1, 5):
            spend(
                day,
                rng.choice(GROCERS),
                "Groceries",
                _money(rng, 18, 95),
                rng.choice([checking, card]),
            )
        if day.weekday() == 4 and rng.random() < 0.6:
            spend(day, rng.choice(RESTAURANTS), "Restaurants", _money(rng, 22, 70), card)
        if rng.random() < 0.25:
            spend(day, "Coffee Fellows", "Coffee", _money(rng, 2.5, 5.5), cash)
        if day.day == 12:
            spend(day, "BVG", "Public transport", "49.00")
        if day.day == 28 and day.month % 3 == 0:
            interest = _money(rng, 20, 35)
            ledger.create(
                session,
                ctx,
                TransactionCreate(
                    date=day,
                    payee="Tagesgeld interest",
                    postings=[
                        PostingIn(account_id=savings, amount=interest, currency="EUR"),
                        PostingIn(
                            account_id=ids["Interest"], amount=f"-{interest}", currency="EUR"
                        ),
                    ],
                ),
            )
        if day.day == 15 and day.month in (3, 9):
            # Money sent to the US account: EUR leaves, USD arrives.
            ledger.transfer(
                session,
                ctx,
                TransferCreate(
                    date=day,
                    from_account_id=savings,
                    to_account_id=usd,
                    amount="1000.00",
                    to_amount="1085.40",
                    memo="Top up brokerage",
                ),
            )
        if day.day == 8 and rng.random() < 0.4:
            split_total = Decimal(_money(rng, 60, 180))
            clothes = (split_total * Decimal("0.6")).quantize(Decimal("0.01"))
            ledger.create(
                session,
                ctx,
                TransactionCreate(
                    date=day,
                    payee="Kaufhaus",
                    memo="Split purchase",
                    tags=["split"],
                    postings=[
                        PostingIn(account_id=card, amount=f"-{split_total}", currency="EUR"),
                        PostingIn(account_id=ids["Clothes"], amount=str(clothes), currency="EUR"),
                        PostingIn(
                            account_id=ids["Electronics"],
                            amount=str(split_total - clothes),
                            currency="EUR",
                        ),
                    ],
                ),
            )
        day += dt.timedelta(days=1)
    return household.id
