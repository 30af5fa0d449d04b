"""Write an N-row bank CSV that looks like a real export, streaming, for benchmarks.

    python bench/imports/gen_csv.py --rows 1000000 --style de -o bench/data/1m.csv

Rows are written one at a time, so a million rows need no more memory than ten.
The same --seed gives the same file. Styles:

* ``de``: UTF-8 with BOM, ';', '1.234,56', dates '31.12.2025', a preamble with the
  IBAN and balance (like German bank exports);
* ``us``: ',', '$1,234.56' with parentheses for money out, dates '12/31/2025';
* ``plain``: ',', ISO dates, '-1234.56' (the fastest path through the parser).

About 1 row in 200 is a same-day twin (two coffees), as real statements have.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import TextIO

PAYEES = (
    ("REWE Markt GmbH", "Kartenzahlung girocard", (-180, -4)),
    ("Amazon Payments Europe", "AMZN Mktp DE 302-1234567", (-250, -5)),
    ("Stadtwerke Musterstadt", "Abschlag Strom", (-120, -40)),
    ("Telefonica Germany", "Mobilfunk Rechnung", (-60, -15)),
    ("Costa Coffee", "POS 4711 COFFEE", (-6, -2)),
    ("Shell Station 221", "Tankstelle", (-95, -30)),
    ("Netflix International", "Abo", (-18, -8)),
    ("Hausverwaltung Schmidt", "Miete", (-1400, -700)),
    ("ACME GmbH", "Gehalt", (1800, 4200)),
    ("Finanzamt", "Steuererstattung", (50, 900)),
    ("PayPal Europe", "PP.1234.PP Ihr Einkauf bei", (-150, -3)),
    ("Deutsche Bahn", "Fahrkarte", (-140, -9)),
)
HEADERS = {
    "de": [
        "Buchungstag",
        "Valuta",
        "Empfänger/Auftraggeber",
        "Verwendungszweck",
        "Betrag",
        "Währung",
    ],
    "us": ["Date", "Description", "Amount", "Running Balance"],
    "plain": ["Date", "Payee", "Memo", "Amount", "Transaction ID"],
}


def rows(
    count: int, seed: int, years: int | None = None
) -> Iterator[tuple[date, str, str, Decimal, int]]:
    """`years`: spread the rows over about that many years (more rows a day), so a
    million rows stay within the dates a ledger takes; None: about 3 rows a day."""
    generator = random.Random(seed)
    step = 0.3 if years is None else min(0.3, years * 365 / max(count, 1))
    day = date(2015, 1, 1)
    previous: tuple[date, str, str, Decimal, int] | None = None
    for number in range(count):
        if previous is not None and generator.random() < 0.005:
            previous = (previous[0], previous[1], previous[2], previous[3], number)
            yield previous
            continue
        if generator.random() < step:
            day += timedelta(days=1)
        payee, memo, (low, high) = generator.choice(PAYEES)
        cents = generator.randint(low * 100, high * 100)
        previous = (day, payee, f"{memo} {number % 9973}", Decimal(cents) / 100, number)
        yield previous


def _german(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _american(amount: Decimal) -> str:
    text = f"${abs(amount):,.2f}"
    return f"({text})" if amount < 0 else text


def write(out: TextIO, count: int, style: str, seed: int, years: int | None = None) -> None:
    writer = csv.writer(out, delimiter=";" if style == "de" else ",", lineterminator="\r\n")
    if style == "de":
        out.write("\ufeff")
        writer.writerow(["Girokonto", "DE89370400440532013000"])
        writer.writerow([])
        writer.writerow(["Kontostand vom 31.12.2025:", "12.345,67 €"])
        writer.writerow([])
    writer.writerow(HEADERS[style])
    balance = Decimal("1000.00")
    for day, payee, memo, amount, number in rows(count, seed, years):
        balance += amount
        if style == "de":
            stamp = day.strftime("%d.%m.%Y")
            writer.writerow([stamp, stamp, payee, memo, _german(amount), "EUR"])
        elif style == "us":
            writer.writerow(
                [day.strftime("%m/%d/%Y"), f"{payee} {memo}", _american(amount), _american(balance)]
            )
        else:
            writer.writerow([day.isoformat(), payee, memo, str(amount), f"TX{number:09d}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--style", choices=sorted(HEADERS), default="de")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--years", type=int, help="spread the rows over this many years")
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            write(out, args.rows, args.style, args.seed, args.years)
    else:
        write(sys.stdout, args.rows, args.style, args.seed, args.years)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
