"""Exports: CSV with the list's filters, the whole household as JSON that restores to
the same balances, Beancount that beancount itself loads, and QIF our parser reads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from beancount import loader
from beancount.core.data import Balance, Transaction
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from tests.factories.api import Api
from tests.imports.household import KEY, Home, csv_text, make_home
from typer.testing import CliRunner

from homeledger.accounts import service as accounts
from homeledger.accounts.schemas import CategoryCreate
from homeledger.config import get_settings
from homeledger.db.session import make_session_factory
from homeledger.exports import service
from homeledger.exports.cli import register
from homeledger.exports.schemas import ExportFilter, ExportFormat, HouseholdDocument
from homeledger.imports.parsers import read_statements
from homeledger.kit.errors import Conflict
from homeledger.ledger import service as ledger
from homeledger.ledger.schemas import PostingIn, TransactionCreate, TransferCreate
from homeledger.reconciliation import service as reconciliation
from homeledger.reconciliation.schemas import ReconciliationCreate
from homeledger.rules import service as rules
from homeledger.rules.schemas import PayeeAliasCreate
from homeledger.users import service as users
from homeledger.users.schemas import HouseholdCreate


def _build(home: Home) -> dict[str, str]:
    """A household with what an export must carry: nested categories, a transfer across
    currencies, a split, tags, pending and reconciled postings, rules, an alias."""
    checking = home.account("Checking", institution="DKB")
    dollars = home.account("Dollars", currency="USD")
    card = home.account("Visa", type_="credit_card")
    food = home.category("Food")
    groceries = accounts.create_category(
        home.session,
        home.ctx,
        CategoryCreate(name="Groceries & Café", kind="expense", parent_id=food),
    ).id
    home.rule(
        name="Supermarket",
        conditions=[{"field": "payee", "op": "contains", "value": "rewe"}],
        actions=[{"kind": "set_category", "value": groceries}],
    )
    rules.save_alias(
        home.session,
        home.ctx,
        PayeeAliasCreate(raw="POS 1 AMAZON", payee="Amazon", category_id=food),
    )
    home.import_file(
        checking,
        csv_text(
            ("2025-03-01", "REWE Markt", "-41.10"),
            ("2025-03-02", "ACME GmbH", "2500.00"),
            ("2025-03-03", "Unknown shop", "-9.99"),
        ),
    )
    ledger.create(
        home.session,
        home.ctx,
        TransactionCreate(
            date=dt.date(2025, 3, 4),
            payee='Market "Zum Löwen"',
            memo="split; with a \\ backslash",
            tags=["holiday 2025", "food"],
            postings=[
                PostingIn(account_id=card, amount="-30.00", currency="EUR", status="pending"),
                PostingIn(account_id=groceries, amount="20.00", currency="EUR"),
                PostingIn(account_id=food, amount="10.00", currency="EUR"),
            ],
        ),
    )
    ledger.transfer(
        home.session,
        home.ctx,
        TransferCreate(
            date=dt.date(2025, 3, 5),
            from_account_id=checking,
            to_account_id=dollars,
            amount="100.00",
            to_amount="108.25",
        ),
    )
    started = reconciliation.start(
        home.session,
        home.ctx,
        ReconciliationCreate(
            account_id=checking, statement_date=dt.date(2025, 3, 31), statement_balance="2348.91"
        ),
    )
    reconciliation.finish(home.session, home.ctx, started.id)
    return {
        "checking": checking,
        "dollars": dollars,
        "card": card,
        "food": food,
        "groceries": groceries,
    }


@pytest.fixture
def home(session: Session) -> Home:
    return make_home(session)


def _export(home: Home, fmt: ExportFormat, f: ExportFilter | None = None) -> str:
    out = io.StringIO()
    service.export(home.session, home.ctx, fmt, out, KEY, f)
    return out.getvalue()


def _balances(home: Home) -> dict[tuple[str, str, str], Decimal]:
    labels = accounts.labels(home.session, home.ctx)
    return {
        (labels[b.account_id][0], b.kind, b.currency): Decimal(b.balance)
        for b in ledger.balances(home.session, home.ctx, include_categories=True)
        if Decimal(b.balance)
    }


def test_json_restores_into_an_empty_household_with_every_balance(home: Home) -> None:
    ids = _build(home)
    document = HouseholdDocument.model_validate(json.loads(_export(home, "json")))
    assert document.accounts[0].parent_id is None
    user_id = home.ctx.user_id
    from homeledger.users.models import User

    owner = home.session.get(User, user_id)
    assert owner is not None
    empty = users.create_household(home.session, owner, HouseholdCreate(name="Copy"))
    copy = Home(home.session, users.context_for(home.session, user_id, empty.id))
    result = service.restore(home.session, copy.ctx, document, KEY)
    assert result.transactions == len(document.transactions) == 5
    assert _balances(copy) == _balances(home)
    copy.assert_books_clean()
    restored = {a.name: a for a in accounts.list_accounts(home.session, copy.ctx)}
    assert (
        accounts.reveal_account_number(home.session, copy.ctx, restored["Checking"].id, KEY) == ""
    )
    statuses = sorted(p.status.value for t in copy.transactions() for p in t.postings)
    assert statuses == sorted(p.status.value for t in home.transactions() for p in t.postings)
    [rule] = rules.list_rules(home.session, copy.ctx)
    assert rule.actions[0].value != ids["groceries"]
    assert rule.actions[0].value in {c.id for c in accounts.list_categories(home.session, copy.ctx)}
    assert [
        h.status for h in reconciliation.history(home.session, copy.ctx, restored["Checking"].id)
    ] == ["finished"]
    with pytest.raises(Conflict):
        service.restore(home.session, copy.ctx, document, KEY)


def test_beancount_loads_in_beancount_with_the_same_balances(home: Home) -> None:
    _build(home)
    text = _export(home, "beancount")
    entries, errors, _ = loader.load_string(text)
    assert errors == [], [e.message for e in errors]
    sums: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for entry in entries:
        if isinstance(entry, Transaction):
            for posting in entry.postings:
                assert posting.units is not None
                assert posting.units.number is not None
                sums[posting.account][posting.units.currency] += posting.units.number
    assert sums["Expenses:Food:Groceries-Café"]["EUR"] == Decimal("61.10")
    assert sums["Assets:Dollars"]["USD"] == Decimal("108.25")
    ours = sorted(v for v in _balances(home).values())
    theirs = sorted(v for per in sums.values() for v in per.values() if v)
    assert theirs == ours
    assert [e.account for e in entries if isinstance(e, Balance)] == ["Assets:Checking"]
    pending = [e for e in entries if isinstance(e, Transaction) and e.flag == "!"]
    assert [e.payee for e in pending] == ['Market "Zum Löwen"']


def test_csv_has_one_row_per_account_side_and_follows_the_filters(home: Home) -> None:
    ids = _build(home)
    rows = list(csv.DictReader(io.StringIO(_export(home, "csv"))))
    assert len(rows) == 6  # the transfer shows once per account
    march = list(
        csv.DictReader(
            io.StringIO(
                _export(
                    home,
                    "csv",
                    ExportFilter(account_id=[ids["checking"]], date_from=dt.date(2025, 3, 2)),
                )
            )
        )
    )
    assert [(r["date"], r["payee"], r["amount"], r["category"]) for r in march] == [
        ("2025-03-05", "", "-100.00", "Currency exchange | Currency exchange | [Dollars]"),
        ("2025-03-03", "Unknown shop", "-9.99", "Uncategorised"),
        ("2025-03-02", "ACME GmbH", "2500.00", "Uncategorised"),
    ]


def test_qif_reads_back_through_the_qif_parser(home: Home) -> None:
    ids = _build(home)
    text = _export(home, "qif", ExportFilter(account_id=[ids["card"]]))
    [statement] = read_statements(io.BytesIO(text.encode()), "export.qif")
    [txn] = statement.transactions
    assert (txn.date, txn.amount, txn.payee) == (
        dt.date(2025, 3, 4),
        Decimal("-30.00"),
        'Market "Zum Löwen"',
    )
    assert sorted((s.category, s.amount) for s in txn.splits) == [
        ("Food", Decimal("-10.00")),
        ("Food:Groceries & Café", Decimal("-20.00")),
    ]


def test_the_export_api_streams_a_file_and_restore_rebuilds_it(api: Api) -> None:
    checking = api.account("Checking", opening="100.00")
    api.spend(checking, api.category("Food"), "12.30", payee="Bakery")
    response = api.get(api.url("/export"), format="json")
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].endswith('.json"')
    created = api.post("/api/v1/households", {"name": "Copy", "base_currency": "EUR"}).json()
    copy = Api(api.client, api.email, api.token, household_id=created["id"])
    restored = api.client.post(
        copy.url("/restore"), files={"file": ("home.json", response.content)}, headers=api.headers
    )
    assert restored.status_code == 201, restored.text
    assert restored.json()["transactions"] == 2
    copied = {b["name"]: b["balance"] for b in copy.get(copy.url("/balances")).json()}
    assert copied == {"Checking": "87.70"}
    broken = api.client.post(
        copy.url("/restore"), files={"file": ("x.json", b"{nope")}, headers=api.headers
    )
    assert broken.status_code == 422
    listing = api.get(api.url("/export"), format="csv", q="bakery")
    assert listing.text.splitlines()[1].startswith("2025-03-01,Checking,Bakery,,Food,-12.30,EUR")


def test_the_cli_exports_to_a_file_and_restores_it(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOMELEDGER_DATABASE_URL", database_url)
    get_settings.cache_clear()
    factory = make_session_factory(engine)
    with factory() as session:
        home = make_home(session)
        checking = home.account("Checking")
        home.import_file(checking, csv_text(("2025-03-01", "Shop", "-5.00")))
        from homeledger.users.models import User

        owner = session.get(User, home.ctx.user_id)
        assert owner is not None
        target = users.create_household(session, owner, HouseholdCreate(name="Copy")).id
        session.commit()
    cli = typer.Typer()
    register(cli)
    runner = CliRunner()
    out = tmp_path / "home.json"
    exported = runner.invoke(
        cli, ["export", "--household", home.ctx.household_id, "--format", "json", "-o", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    restored = runner.invoke(cli, ["restore-household", str(out), "--household", target])
    assert restored.exit_code == 0, restored.output
    assert "restored 4 accounts and 1 transactions" in restored.stdout
    beancount = runner.invoke(cli, ["export", "--household", target, "--format", "beancount"])
    assert beancount.exit_code == 0
    assert loader.load_string(beancount.stdout)[1] == []
    get_settings.cache_clear()
