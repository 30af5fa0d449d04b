"""Big files stream: memory stays flat however many rows the file has."""

from __future__ import annotations

import io
import subprocess
import sys
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from homeledger.imports.parsers import open_parser

GENERATOR = Path(__file__).parents[2] / "bench" / "imports" / "gen_csv.py"


def _generate(rows: int, style: str) -> bytes:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--rows", str(rows), "--style", style],
        check=True,
        capture_output=True,
    )
    return result.stdout


def _peak_while_parsing(data: bytes, name: str) -> tuple[int, int, Decimal]:
    tracemalloc.start()
    try:
        count, total = 0, Decimal(0)
        for transaction in open_parser(io.BytesIO(data), name):
            count += 1
            total += transaction.amount
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return count, peak, total


@pytest.mark.parametrize("style", ["de", "us"])
def test_generated_bank_csv_parses_with_flat_memory(style: str) -> None:
    small = _generate(1_000, style)
    large = _generate(12_000, style)
    small_count, small_peak, _ = _peak_while_parsing(small, "small.csv")
    large_count, large_peak, _ = _peak_while_parsing(large, "large.csv")
    assert (small_count, large_count) == (1_000, 12_000)
    # Twelve times the rows may not need twelve times the memory; the file itself
    # is held by the test, not counted (it was allocated before tracing started).
    assert large_peak < small_peak * 3 + 2_000_000
