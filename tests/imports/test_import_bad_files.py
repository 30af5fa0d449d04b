"""Bad files fail with one error type that names the file, the line and the field."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from homeledger.imports.errors import ImportFileError
from homeledger.imports.parsers import CsvProfile, ParsedStatement, open_parser, read_statements

SampleBytes = Callable[[str], bytes]
ParseBytes = Callable[[bytes], tuple[ParsedStatement, ...]]


def _error(data: bytes, name: str, **options: object) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        read_statements(io.BytesIO(data), name, **options)  # type: ignore[arg-type]
    return caught.value


def test_bad_csv_amount_names_line_and_column(sample_bytes: SampleBytes) -> None:
    data = sample_bytes("de_bom_semicolon.csv").replace(b'"-4,90"', b'"-4,9x"')
    error = _error(data, "statement.csv")
    assert str(error) == "statement.csv line 6, field 'Betrag': '-4,9x' is not an amount"
    assert (error.line, error.field) == (6, "Betrag")


def test_bad_csv_date_names_line_and_expected_form(sample_bytes: SampleBytes) -> None:
    data = sample_bytes("us_checking.csv").replace(b"12/15/2025", b"13/45/2025")
    error = _error(data, "checking.csv")
    assert str(error) == (
        "checking.csv line 5, field 'Date': '13/45/2025' is not a date in the form MM/DD/YYYY"
    )


def test_csv_profile_with_unknown_encoding() -> None:
    profile = CsvProfile(encoding="klingon-8")
    error = _error(b"Date,Amount\n2025-01-01,1.00\n", "x.csv", profile=profile)
    assert str(error) == "x.csv: unknown encoding 'klingon-8'"


def test_binary_file_is_an_unknown_encoding() -> None:
    error = _error(bytes(range(256)) * 8, "photo.csv", file_format="csv")
    assert "unknown encoding" in str(error)
    assert error.source_name == "photo.csv"


def test_bytes_invalid_in_the_profile_encoding_name_the_line() -> None:
    data = "Date,Payee,Amount\n2025-01-02,Café,-3.00\n".encode("latin-1")
    error = _error(data, "x.csv", profile=CsvProfile(payee_columns=("Payee",)))
    assert error.line == 2
    assert "not valid utf-8" in str(error)


@pytest.mark.parametrize(
    ("name", "cut"),
    [("camt053_batch.xml", 4000), ("creditcard_v220.ofx", 1800), ("checking_sgml_102.ofx", 900)],
)
def test_truncated_xml_and_ofx_name_a_line(name: str, cut: int, sample_bytes: SampleBytes) -> None:
    error = _error(sample_bytes(name)[:cut], name)
    assert error.line is not None
    assert str(error).startswith(f"{name} line {error.line}")


def test_truncated_camt_says_so(sample_bytes: SampleBytes) -> None:
    error = _error(sample_bytes("camt053_batch.xml")[:4000], "stmt.xml")
    assert "truncated" in str(error)


def test_empty_file_in_every_format() -> None:
    for file_format in ("auto", "csv", "ofx", "qif", "camt", "mt940"):
        error = _error(b"", "empty.dat", file_format=file_format)
        assert error.source_name == "empty.dat"
        assert "empty" in str(error) or "not an" in str(error), (file_format, str(error))


@pytest.mark.parametrize(
    ("sample", "file_format"),
    [
        ("us_checking.csv", "ofx"),
        ("us_checking.csv", "camt"),
        ("us_checking.csv", "mt940"),
        ("us_checking.csv", "qif"),
        ("checking_sgml_102.ofx", "camt"),
        ("camt053_batch.xml", "csv"),
        ("household_splits.qif", "csv"),
    ],
)
def test_wrong_format_is_an_import_error(
    sample: str, file_format: str, sample_bytes: SampleBytes
) -> None:
    error = _error(sample_bytes(sample), sample, file_format=file_format)
    assert error.source_name == sample


def test_bad_mt940_amount_is_not_silently_dropped(sample_bytes: SampleBytes) -> None:
    data = sample_bytes("mt940_multi.sta").replace(b"CR2500,00", b"CR25x0,00")
    error = _error(data, "bank.sta")
    assert (error.line, error.field) == (5, "61 amount")


def test_bad_qif_amount_is_not_mangled(sample_bytes: SampleBytes) -> None:
    data = sample_bytes("household_splits.qif").replace(b"T-3.10", b"T-3,1x0", 1)
    error = _error(data, "money.qif")
    assert (error.line, error.field) == (44, "T")
    assert "'-3,1x0' is not an amount" in str(error)


def test_bad_qif_date_names_the_line(sample_bytes: SampleBytes) -> None:
    data = sample_bytes("household_splits.qif").replace(b"D12/24/25", b"D12/34/25", 1)
    error = _error(data, "money.qif")
    assert (error.line, error.field) == (43, "D")


def test_bad_camt_amount_and_date(sample_bytes: SampleBytes) -> None:
    data = sample_bytes("camt053_batch.xml")
    error = _error(data.replace(b">2500.00<", b">25OO.00<", 1), "s.xml")
    assert (error.field, error.line) == ("Amt", 59)
    error = _error(data.replace(b"<Dt>2025-12-05</Dt>", b"<Dt>2025-13-05</Dt>", 1), "s.xml")
    assert error.field == "BookgDt"


def test_bad_ofx_amount_names_the_transaction_line(sample_bytes: SampleBytes) -> None:
    data = sample_bytes("checking_sgml_102.ofx").replace(b"<TRNAMT>-1200.00", b"<TRNAMT>-12O0.00")
    error = _error(data, "bank.ofx")
    assert (error.line, error.field) == (51, "TRNAMT")


def test_a_parser_reads_its_stream_once(sample_bytes: SampleBytes) -> None:
    parser = open_parser(io.BytesIO(sample_bytes("us_checking.csv")), "x.csv")
    list(parser)
    assert parser.finished
    with pytest.raises(RuntimeError):
        list(parser)


def test_error_is_picklable_for_background_jobs() -> None:
    import pickle

    error = ImportFileError("a.csv", 3, "Amount", "'x' is not an amount")
    # Our own bytes, just made: unpickling them is the point of the test.
    assert str(pickle.loads(pickle.dumps(error))) == str(error)  # noqa: S301


def test_totals_row_without_date_is_skipped_but_an_amount_without_date_is_not(
    parse_bytes: ParseBytes,
) -> None:
    data = b"Date,Payee,Amount\n2025-01-02,Shop,-3.00\n,Total,\n"
    assert len(parse_bytes(data)[0].transactions) == 1
    error = _error(b"Date,Payee,Amount\n2025-01-02,Shop,-3.00\n,Lost,-9.00\n", "x.csv")
    assert (error.line, error.field) == (3, "Date")


def test_row_shorter_than_the_header_names_its_line() -> None:
    data = b"Date;Payee;Amount;Currency\n2025-01-02;Shop;-3,00;EUR\n2025-01-03;Shop\n"
    error = _error(data, "short.csv")
    assert error.line == 3
