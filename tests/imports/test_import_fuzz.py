"""Broken input of every kind raises ImportFileError and nothing else, quickly.

Mutations of each valid sample (truncation, byte flips, deleted lines) and plain
random bytes go through every parser. An error that only the parsers' last-resort
guard caught counts as a failure too: every failure deserves a real message.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeledger.imports.errors import ImportFileError
from homeledger.imports.parsers import open_parser

SAMPLES = Path(__file__).parent / "samples"
SAMPLE_NAMES = sorted(path.name for path in SAMPLES.iterdir() if path.is_file())
FORMATS = ("auto", "csv", "ofx", "qif", "camt", "mt940")
# Moderate by default so the suite stays fast; raise it for a deeper hunt.
EXAMPLES = int(os.environ.get("HOMELEDGER_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _parse_or_clean_error(data: bytes, name: str, file_format: str = "auto") -> None:
    error: ImportFileError | None = None
    try:
        for _ in open_parser(io.BytesIO(data), name, file_format):  # type: ignore[arg-type]
            pass
    except ImportFileError as raised:
        error = raised
    if error is not None:
        assert error.source_name == name
        assert "cannot be read as" not in error.message, repr(error.__cause__)
        assert str(error).startswith(name)


@st.composite
def mutated_sample(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(SAMPLE_NAMES))
    data = bytearray((SAMPLES / name).read_bytes())
    kind = draw(st.sampled_from(["truncate", "flip", "delete_line", "duplicate_line"]))
    if kind == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.integers(0, 255))
    else:
        lines = bytes(data).splitlines(keepends=True)
        at = draw(st.integers(0, len(lines) - 1))
        if kind == "delete_line":
            del lines[at]
        else:
            lines.insert(at, lines[at])
        data = bytearray(b"".join(lines))
    return name, bytes(data)


@FUZZ
@given(mutated_sample())
def test_mutated_samples_parse_or_fail_cleanly(sample: tuple[str, bytes]) -> None:
    name, data = sample
    _parse_or_clean_error(data, name)


@pytest.mark.parametrize("file_format", FORMATS)
@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_fail_cleanly_in_every_format(file_format: str, data: bytes) -> None:
    _parse_or_clean_error(data, "random.bin", file_format)


@pytest.mark.parametrize("file_format", FORMATS)
@settings(max_examples=max(EXAMPLES // 2, 10), deadline=2000)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("<>/:;,.-'\"!^01239DTPLS$CRN\n\r OFXStmtNtry")), max_size=400
    )
)
def test_format_shaped_text_fails_cleanly(file_format: str, text: str) -> None:
    _parse_or_clean_error(text.encode(), "shaped.txt", file_format)
