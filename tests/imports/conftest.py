"""Fixtures for the bank-file parser tests: sample files and a one-call parse."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from homeledger.imports.parsers import ParsedStatement, read_statements

SAMPLES = Path(__file__).parent / "samples"

Parse = Callable[[str], tuple[ParsedStatement, ...]]
ParseBytes = Callable[[bytes], tuple[ParsedStatement, ...]]
SampleBytes = Callable[[str], bytes]


def _sample_bytes(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.fixture
def sample_bytes() -> SampleBytes:
    return _sample_bytes


@pytest.fixture
def parse_bytes() -> ParseBytes:
    def parse(data: bytes) -> tuple[ParsedStatement, ...]:
        return read_statements(io.BytesIO(data), "statement.csv")

    return parse


@pytest.fixture
def parse_sample() -> Parse:
    def parse(name: str) -> tuple[ParsedStatement, ...]:
        return read_statements(io.BytesIO(_sample_bytes(name)), name)

    return parse


@pytest.fixture
def sample_names() -> list[str]:
    return sorted(path.name for path in SAMPLES.iterdir() if path.is_file())
