"""CSV profiles: stored as JSON, detected from the file, shipped for common banks."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from decimal import Decimal

import pytest

from homeledger.imports.errors import InvalidProfileError
from homeledger.imports.parsers import (
    CsvParser,
    CsvProfile,
    ParsedStatement,
    detect_csv_profile,
    read_statements,
    ready_profiles,
)

SampleBytes = Callable[[str], bytes]


def test_profile_round_trips_through_json() -> None:
    profile = CsvProfile(
        name="my bank",
        encoding="cp1252",
        delimiter=";",
        skip_rows=3,
        date_column="Datum",
        date_format="%d.%m.%Y",
        amount_column=None,
        debit_column="Soll",
        credit_column="Haben",
        decimal_separator=",",
        thousands_separator=".",
        payee_columns=("Name", 4),
        memo_columns=("Zweck",),
    )
    stored = json.loads(profile.to_json())
    assert stored["payee_columns"] == ["Name", 4]
    assert CsvProfile.from_dict(stored) == profile
    assert CsvProfile.from_json(profile.to_json()) == profile


@pytest.mark.parametrize(
    "changes",
    [
        {"delimiter": ";;"},
        {"date_format": "%Y"},
        {"decimal_separator": ",", "thousands_separator": ","},
        {"amount_column": None},
        {"has_header": False},
        {"skip_rows": -1},
        {"payee_columns": ("",)},
    ],
)
def test_unusable_profiles_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidProfileError):
        CsvProfile(**changes)  # type: ignore[arg-type]


def test_unknown_profile_settings_are_refused() -> None:
    with pytest.raises(InvalidProfileError, match="colour"):
        CsvProfile.from_dict({"name": "x", "colour": "blue"})


def test_every_ready_profile_is_valid_and_names_columns_of_its_header() -> None:
    profiles = ready_profiles()
    assert len(profiles) >= 6
    for name, ready in profiles.items():
        assert ready.profile.name == name
        for ref in ready.profile.referenced_columns():
            assert (ref in ready.header) if isinstance(ref, str) else ref < len(ready.header)


def test_detection_reports_ambiguous_dates() -> None:
    data = b"Date,Payee,Amount\n01/02/2025,Shop,-3.00\n03/04/2025,Shop,-4.00\n"
    detection = detect_csv_profile(data, "x.csv")
    assert detection.profile.date_format == "%m/%d/%Y"
    assert any("month-first" in note for note in detection.notes)


def test_detected_profile_is_reusable_for_the_next_file(sample_bytes: SampleBytes) -> None:
    detection = detect_csv_profile(sample_bytes("uk_debit_credit.csv"), "may.csv")
    stored = detection.profile.to_json()
    june = b"Date,Description,Money Out,Money In,Balance\n02/06/2025,TESCO,10.00,,90.00\n"
    (statement,) = read_statements(
        io.BytesIO(june), "june.csv", profile=CsvProfile.from_json(stored)
    )
    assert statement.transactions[0].amount == Decimal("-10.00")


def test_chase_card_export_is_recognised_by_its_header() -> None:
    data = (
        b"Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
        b"12/02/2025,12/03/2025,SPOTIFY USA,Entertainment,Sale,-11.99,\n"
        b"12/05/2025,12/06/2025,Payment Thank You-Mobile,,Payment,250.00,\n"
    )
    detection = detect_csv_profile(data, "chase.csv")
    assert detection.ready_profile == "us-chase-credit-card"
    (statement,) = read_statements(io.BytesIO(data), "chase.csv")
    spotify = statement.transactions[0]
    assert (spotify.amount, spotify.category, spotify.currency) == (
        Decimal("-11.99"),
        "Entertainment",
        "USD",
    )


def test_sparkasse_export_in_windows_1252() -> None:
    header = ready_profiles()["de-sparkasse-csv-camt-v2"].header
    row = [
        "DE89370400440532013000",
        "30.12.25",
        "30.12.25",
        "FOLGELASTSCHRIFT",
        "Beitrag Dezember",
        "DE98ZZZ09999999999",
        "M-1",
        "E2E-1",
        "",
        "",
        "",
        "Fitnessstudio Süd",
        "DE44500105175407324931",
        "INGDDEFFXXX",
        "-29,90",
        "EUR",
        "Umsatz gebucht",
    ]
    text = ";".join(f'"{cell}"' for cell in header) + "\n" + ";".join(f'"{c}"' for c in row) + "\n"
    detection = detect_csv_profile(text.encode("cp1252"), "sparkasse.csv")
    assert detection.ready_profile == "de-sparkasse-csv-camt-v2"
    (statement,) = read_statements(io.BytesIO(text.encode("cp1252")), "sparkasse.csv")
    (fee,) = statement.transactions
    assert (fee.payee, fee.amount, fee.counterparty_account) == (
        "Fitnessstudio Süd",
        Decimal("-29.90"),
        "DE44500105175407324931",
    )


def test_headerless_file_uses_column_positions() -> None:
    profile = CsvProfile(
        has_header=False, date_column=0, amount_column=2, payee_columns=(1,), currency="EUR"
    )
    data = b"2025-03-01,Bakery,-2.40\n2025-03-02,Salary,1800.00\n"
    (statement,) = read_statements(io.BytesIO(data), "x.csv", profile=profile)
    assert [t.payee for t in statement.transactions] == ["Bakery", "Salary"]
    detected = detect_csv_profile(data, "x.csv").profile
    assert (detected.has_header, detected.date_column, detected.amount_column) == (False, 0, 2)


def test_direction_column_and_negated_card_amounts() -> None:
    profile = CsvProfile(
        delimiter=";",
        date_column="Datum",
        date_format="%d.%m.%Y",
        amount_column="Betrag",
        direction_column="S/H",
        debit_markers=("S",),
        decimal_separator=",",
        thousands_separator=".",
    )
    data = b"Datum;Betrag;S/H\n01.02.2025;1.200,00;S\n02.02.2025;50,00;H\n"
    (statement,) = read_statements(io.BytesIO(data), "vr.csv", profile=profile)
    assert [t.amount for t in statement.transactions] == [Decimal("-1200.00"), Decimal("50.00")]
    card = CsvProfile(negate_amounts=True)
    (statement,) = read_statements(
        io.BytesIO(b"Date,Amount\n2025-01-01,25.00\n"), "card.csv", profile=card
    )
    assert statement.transactions[0].amount == Decimal("-25.00")


def test_parser_exposes_the_profile_it_detected(sample_bytes: SampleBytes) -> None:
    parser = CsvParser(io.BytesIO(sample_bytes("de_bom_semicolon.csv")), "konto.csv")
    assert parser.profile.delimiter == ";"
    assert parser.profile.decimal_separator == ","
    assert len(list(parser)) == 4


def test_statement_type_is_exported() -> None:
    assert ParsedStatement(index=0, line=1).transactions == ()
