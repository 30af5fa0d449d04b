"""Each real-shaped sample file parses to what its owner sees in the bank's app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from homeledger.imports.parsers import Balance, ParsedStatement, Split

Parse = Callable[[str], tuple[ParsedStatement, ...]]


def test_sgml_ofx_without_closing_tags_keeps_the_printed_day(parse_sample: Parse) -> None:
    (statement,) = parse_sample("checking_sgml_102.ofx")
    assert statement.account_id_hint == "000123456789"
    assert statement.institution_hint == "121000248"
    assert statement.currency == "USD"
    assert statement.closing_balance == Balance(Decimal("5254.33"), date(2025, 12, 31))
    assert (statement.period_start, statement.period_end) == (date(2025, 12, 1), date(2025, 12, 31))
    first, check, salary, coffee, second_coffee = statement.transactions
    assert (first.date, first.amount, first.payee) == (
        date(2025, 12, 2),
        Decimal("-42.17"),
        "AT&T MOBILITY",
    )
    assert first.bank_id == "2025120201"
    assert check.check_number == "1042"
    assert salary.amount == Decimal("2500.00")
    assert salary.memo == "DIRECT DEP"
    assert coffee.payee == "CAFÉ ROMA"  # CHARSET:1252 honoured
    assert coffee.amount == second_coffee.amount
    assert coffee.bank_id != second_coffee.bank_id
    assert coffee.line == 67


def test_ofx2_xml_card_statement_dates_are_not_shifted_by_time_zones(parse_sample: Parse) -> None:
    (statement,) = parse_sample("creditcard_v220.ofx")
    assert statement.account_id_hint == "4111********1111"
    assert statement.currency == "EUR"
    bakery, netflix, payment = statement.transactions
    # DTPOSTED 20251203000000[+1:CET] is 2 December in UTC, but the bank printed 3rd.
    assert bakery.date == date(2025, 12, 3)
    assert bakery.payee == "Bäckerei Müller & Söhne"
    assert netflix.amount == Decimal("-12.49")
    assert netflix.currency == "EUR"  # ORIGCURRENCY: already converted to CURDEF
    assert payment.amount == Decimal("450.00")
    assert statement.closing_balance == Balance(Decimal("-1024.55"), date(2025, 12, 31))


def test_qfx_with_intuit_tags_reads_like_ofx(parse_sample: Parse) -> None:
    (statement,) = parse_sample("quicken_card.qfx")
    assert statement.institution_hint == "10898"
    assert [t.amount for t in statement.transactions] == [
        Decimal("-64.12"),
        Decimal("-15.00"),
        Decimal("15.00"),
        Decimal("500.00"),
    ]
    assert statement.transactions[1].payee == "AMAZON MKTPLACE*2K4AB1"
    assert statement.transactions[0].date == date(2025, 12, 6)


def test_qif_splits_categories_transfers_and_mixed_date_styles(parse_sample: Parse) -> None:
    (statement,) = parse_sample("household_splits.qif")
    assert statement.account_id_hint == "Everyday Checking"
    rent, costco, salary, transfer, coffee, coffee_again = statement.transactions
    assert (rent.date, rent.amount, rent.category, rent.check_number) == (
        date(2025, 12, 1),
        Decimal("-1250.00"),
        "Housing:Rent",
        "1043",
    )
    assert costco.date == date(2025, 12, 3)  # 12/ 3'25
    assert costco.splits == (
        Split(Decimal("-120.00"), "Groceries", "Food"),
        Split(Decimal("-32.47"), "Household:Cleaning", "Supplies"),
        Split(Decimal("-30.00"), "Gifts", "Toy for Max"),
    )
    assert sum(split.amount for split in costco.splits) == costco.amount
    assert salary.date == date(2025, 12, 15)  # ISO style in the same file
    assert salary.amount == Decimal("2500.00")
    assert transfer.transfer_account == "Savings Account"
    # Two coffees on one day stay two transactions, alike but for their line.
    assert replace(coffee_again, line=coffee.line) == coffee
    assert statement.transaction_count == 6


def test_camt053_batch_entry_is_split_by_its_own_amounts(parse_sample: Parse) -> None:
    (statement,) = parse_sample("camt053_batch.xml")
    assert statement.account_id_hint == "DE89370400440532013000"
    assert statement.institution_hint == "COBADEFFXXX"
    assert statement.opening_balance == Balance(Decimal("1000.00"), date(2025, 11, 30))
    assert statement.closing_balance == Balance(Decimal("3365.09"), date(2025, 12, 31))
    salary, power, hosting, club, reversal, pending, fee = statement.transactions
    assert (salary.amount, salary.payee, salary.counterparty_account) == (
        Decimal("2500.00"),
        "ACME GmbH",
        "DE02120300000000202051",
    )
    assert salary.memo == "Gehalt Dezember 2025 Personalnr. 4711"
    # The batch of 150.00 becomes three debits; the USD instructed amount is ignored.
    assert [power.amount, hosting.amount, club.amount] == [
        Decimal("-50.00"),
        Decimal("-60.00"),
        Decimal("-40.00"),
    ]
    assert hosting.payee == "Cloud Hosting Inc."
    assert hosting.currency == "EUR"
    assert len({power.bank_id, hosting.bank_id, club.bank_id}) == 3
    assert reversal.amount == Decimal("19.99")
    assert reversal.payee == "Streaming Dienst GmbH"
    assert pending.status == "pending"
    assert fee.amount == Decimal("-4.90")
    assert fee.payee == "Kontofuehrungsgebuehr Dezember"
    booked = sum(t.amount for t in statement.transactions if t.status == "booked")
    assert statement.opening_balance.amount + booked == statement.closing_balance.amount


def test_mt940_file_with_two_statements_keeps_both_balances(parse_sample: Parse) -> None:
    first, second = parse_sample("mt940_multi.sta")
    assert first.account_id_hint == "37040044/0532013000"
    assert first.opening_balance == Balance(Decimal("1000.00"), date(2025, 11, 30))
    assert first.closing_balance == Balance(Decimal("3450.00"), date(2025, 12, 2))
    assert second.closing_balance == Balance(Decimal("3300.01"), date(2025, 12, 20))
    assert [t.amount for t in first.transactions] == [Decimal("2500.00"), Decimal("-50.00")]
    salary = first.transactions[0]
    assert (salary.payee, salary.memo, salary.counterparty_account) == (
        "ACME GmbH",
        "Gehalt Dezember 2025",
        "DE02120300000000202051",
    )
    phone, phone_again, returned = second.transactions
    assert phone.amount == phone_again.amount == Decimal("-84.99")
    assert phone.line == 15
    assert returned.amount == Decimal("19.99")
    for statement in (first, second):
        assert statement.opening_balance is not None
        assert statement.closing_balance is not None
        total = sum(t.amount for t in statement.transactions)
        assert statement.opening_balance.amount + total == statement.closing_balance.amount


def test_german_csv_with_bom_semicolons_and_comma_decimals(parse_sample: Parse) -> None:
    (statement,) = parse_sample("de_bom_semicolon.csv")
    amounts = [t.amount for t in statement.transactions]
    assert amounts == [Decimal("-84.00"), Decimal("3210.55"), Decimal("-1234.56"), Decimal("-4.90")]
    furniture = statement.transactions[2]
    assert furniture.date == date(2025, 12, 20)
    assert furniture.value_date == date(2025, 12, 21)
    assert furniture.payee == "Möbelhaus Grün KG"
    assert furniture.memo == "Rechnung 2025-881 Lieferung Sofa"  # quoted line break
    assert furniture.currency == "EUR"
    assert statement.transactions[3].line == 6  # the quoted line break counts


def test_csv_with_separate_debit_and_credit_columns(parse_sample: Parse) -> None:
    (statement,) = parse_sample("uk_debit_credit.csv")
    assert [t.amount for t in statement.transactions] == [
        Decimal("-23.45"),
        Decimal("2500.00"),
        Decimal("-1200.00"),
        Decimal("15.99"),
        Decimal("-3.10"),
        Decimal("-3.10"),
    ]
    assert statement.transactions[2].date == date(2025, 12, 13)
    assert statement.transactions[2].payee == "RENT, FLAT 2"


def test_csv_with_preamble_matches_the_shipped_bank_profile(parse_sample: Parse) -> None:
    (statement,) = parse_sample("de_dkb_preamble.csv")
    assert statement.account_id_hint == "DE02120300000000202051"
    groceries, salary, _phone, rent = statement.transactions
    assert groceries.status == "pending"
    assert groceries.payee == "REWE Markt GmbH"  # the recipient, for money out
    assert salary.payee == "ACME GmbH"  # the payer, for money in
    assert salary.date == date(2025, 12, 30)
    assert rent.amount == Decimal("-1150.00")
    assert groceries.line == 6


def test_latin1_csv_with_preamble_and_repeated_currency_column(parse_sample: Parse) -> None:
    (statement,) = parse_sample("de_ing_latin1.csv")
    bakery, transfer, cafe = statement.transactions
    assert bakery.payee == "Bäckerei Größe"
    assert bakery.amount == Decimal("-18.50")
    assert transfer.amount == Decimal("1000.00")
    assert cafe.payee == "Café Zürich"
    assert bakery.line == 16
    assert statement.account_id_hint == "DE12500105170648489890"


def test_american_csv_with_dollar_signs_and_parentheses(parse_sample: Parse) -> None:
    (statement,) = parse_sample("us_checking.csv")
    assert [(t.date, t.amount) for t in statement.transactions] == [
        (date(2025, 12, 1), Decimal("2500.00")),
        (date(2025, 12, 3), Decimal("-64.12")),
        (date(2025, 12, 5), Decimal("-1200.00")),
        (date(2025, 12, 15), Decimal("-60.00")),
        (date(2025, 12, 31), Decimal("0.41")),
    ]
    assert statement.transactions[1].payee == "WHOLE FOODS #10234"
