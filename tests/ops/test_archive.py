"""The encrypted archive container: every alteration, truncation or wrong key is caught,
and large contents stream through in bounded pieces."""

from __future__ import annotations

import hashlib
import io
import os
import struct

import pytest

from homeledger.ops.archive import (
    CHUNK_SIZE,
    MAGIC,
    ArchiveError,
    DamagedArchive,
    DecryptingReader,
    EncryptingWriter,
    WrongKey,
)

KEY = bytes(range(32))


def seal(payload: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, key, {"backend": "sqlite"})
    for start in range(0, len(payload), 100_000):
        writer.write(payload[start : start + 100_000])
    writer.close()
    return out.getvalue()


def unseal(archive: bytes, key: bytes = KEY, piece: int = 65536) -> bytes:
    reader = DecryptingReader(io.BytesIO(archive), key)
    parts = []
    while data := reader.read(piece):
        parts.append(data)
    reader.finish()
    return b"".join(parts)


def records(archive: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each sealed record after the header."""
    (header_length,) = struct.unpack(">I", archive[len(MAGIC) : len(MAGIC) + 4])
    offset = len(MAGIC) + 4 + header_length
    found = []
    while offset < len(archive):
        (word,) = struct.unpack(">I", archive[offset : offset + 4])
        length = word & 0x7FFF_FFFF
        found.append((offset, 4 + length))
        offset += 4 + length
    return found


@pytest.fixture(scope="module")
def payload() -> bytes:
    # Incompressible, so the archive spans several records.
    return os.urandom(3 * CHUNK_SIZE + 12345)


@pytest.fixture(scope="module")
def archive(payload: bytes) -> bytes:
    return seal(payload)


def test_round_trip_in_small_reads(payload: bytes, archive: bytes) -> None:
    assert len(records(archive)) == 4
    assert hashlib.sha256(unseal(archive, piece=4096)).digest() == hashlib.sha256(payload).digest()
    assert payload[:1000] not in archive


def test_empty_payload_round_trips() -> None:
    assert unseal(seal(b"")) == b""


def test_compressible_data_inflates_in_bounded_pieces() -> None:
    zeros = bytes(20 * CHUNK_SIZE)  # a few KB compressed, 20 MB plain
    sealed = seal(zeros)
    assert len(sealed) < CHUNK_SIZE
    reader = DecryptingReader(io.BytesIO(sealed), KEY)
    total = 0
    while data := reader.read(CHUNK_SIZE):
        total += len(data)
        assert len(reader._plain) <= 2 * CHUNK_SIZE  # never the whole 20 MB at once
    assert total == len(zeros)


def test_any_flipped_byte_fails_authentication(archive: bytes) -> None:
    for position in (len(archive) // 3, len(archive) - 5):
        altered = bytearray(archive)
        altered[position] ^= 0x01
        with pytest.raises(DamagedArchive, match="authentication"):
            unseal(bytes(altered))


def test_altered_header_is_refused(archive: bytes) -> None:
    altered = archive.replace(b'"backend": "sqlite"', b'"backend": "sqlitX"', 1)
    assert altered != archive
    with pytest.raises(DamagedArchive, match="authentication"):
        unseal(altered)
    with pytest.raises(DamagedArchive, match="not a homeledger backup"):
        unseal(b"PK\x03\x04" + archive[4:])


def test_reordered_or_dropped_records_are_refused(archive: bytes) -> None:
    (a_at, a_len), (b_at, b_len), *_ = records(archive)
    swapped = archive[:a_at] + archive[b_at : b_at + b_len] + archive[a_at : a_at + a_len]
    swapped += archive[b_at + b_len :]
    with pytest.raises(DamagedArchive, match="authentication"):
        unseal(swapped)
    last_at, _ = records(archive)[-1]
    with pytest.raises(DamagedArchive, match="truncated"):
        unseal(archive[:last_at])  # every record intact, the last one missing


def test_truncated_or_extended_archive_is_refused(archive: bytes) -> None:
    with pytest.raises(DamagedArchive, match="truncated"):
        unseal(archive[: len(archive) - 100])
    with pytest.raises(DamagedArchive, match="after its last record"):
        unseal(archive + b"\x00")


def test_wrong_key_is_named_as_such(archive: bytes) -> None:
    with pytest.raises(WrongKey, match="different HOMELEDGER_BACKUP_KEY"):
        unseal(archive, key=bytes(32))
    assert issubclass(WrongKey, ArchiveError)
