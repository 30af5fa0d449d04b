"""The encrypted container of a backup: a compressed stream cut into chunks, each sealed
with AES-256-GCM, in constant memory whatever the size.

Layout: MAGIC, a 4-byte length and a JSON header (format, key id, nonce prefix), then
records of a 4-byte length (high bit set on the last record) and a sealed chunk. Every
chunk's nonce holds its position and whether it is the last, and its associated data is
the header: a changed, reordered, dropped or appended byte fails authentication, and an
archive that ends before its last record is reported as truncated."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"HLBACKUP"
FORMAT = 1
CHUNK_SIZE = 1024 * 1024
_LAST = 0x8000_0000
_MAX_HEADER = 64 * 1024
_TAG = 16


class ArchiveError(Exception):
    """The archive cannot be trusted or read; nothing was restored from it."""


class WrongKey(ArchiveError):
    pass


class DamagedArchive(ArchiveError):
    pass


def key_id(key: bytes) -> str:
    """Names a key without revealing it, so a wrong key is told apart from tampering."""
    return hashlib.sha256(b"homeledger-backup-key-id\x00" + key).hexdigest()[:16]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only binary stream (enough for tarfile's "w|" mode)."""

    def __init__(self, out: IO[bytes], key: bytes, meta: dict[str, Any]) -> None:
        self._out = out
        self._aead = AESGCM(key)
        self._prefix = os.urandom(7)
        header = {
            "format": FORMAT,
            "cipher": "AES-256-GCM",
            "compression": "zlib",
            "chunk_size": CHUNK_SIZE,
            "nonce_prefix": self._prefix.hex(),
            "key_id": key_id(key),
            **meta,
        }
        body = json.dumps(header, sort_keys=True).encode()
        self._header = MAGIC + struct.pack(">I", len(body)) + body
        out.write(self._header)
        self._compressor = zlib.compressobj(6)
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False

    def write(self, data: bytes) -> int:
        self._buffer += self._compressor.compress(data)
        while len(self._buffer) > CHUNK_SIZE:
            self._seal(bytes(self._buffer[:CHUNK_SIZE]), last=False)
            del self._buffer[:CHUNK_SIZE]
        return len(data)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        """Seals what is left as the last record. The archive is valid only after this."""
        if self._closed:
            return
        self._buffer += self._compressor.flush()
        while len(self._buffer) > CHUNK_SIZE:
            self._seal(bytes(self._buffer[:CHUNK_SIZE]), last=False)
            del self._buffer[:CHUNK_SIZE]
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()
        self._closed = True

    def _seal(self, chunk: bytes, last: bool) -> None:
        if self._counter >= 2**32 - 1:
            raise ArchiveError("archive too large for one key and nonce prefix")
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), chunk, self._header)
        self._out.write(struct.pack(">I", len(sealed) | (_LAST if last else 0)) + sealed)
        self._counter += 1


def read_header(source: IO[bytes]) -> tuple[bytes, dict[str, Any]]:
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise DamagedArchive("not a homeledger backup archive")
    raw_length = source.read(4)
    if len(raw_length) < 4:
        raise DamagedArchive("the archive is truncated (no header)")
    (length,) = struct.unpack(">I", raw_length)
    if length > _MAX_HEADER:
        raise DamagedArchive("the archive header is damaged")
    body = source.read(length)
    if len(body) < length:
        raise DamagedArchive("the archive is truncated (header)")
    try:
        header: dict[str, Any] = json.loads(body)
    except ValueError:
        raise DamagedArchive("the archive header is damaged") from None
    if header.get("format") != FORMAT or header.get("cipher") != "AES-256-GCM":
        raise DamagedArchive(f"unsupported archive format {header.get('format')!r}")
    return MAGIC + raw_length + body, header


class DecryptingReader:
    """A read-only binary stream of the plaintext (enough for tarfile's "r|" mode).
    Every byte it returns has been authenticated; `finish()` proves nothing is missing
    at the end and nothing was appended."""

    def __init__(self, source: IO[bytes], key: bytes) -> None:
        self._source = source
        self._header, self.header = read_header(source)
        if self.header.get("key_id") != key_id(key):
            raise WrongKey(
                "the archive was encrypted with a different HOMELEDGER_BACKUP_KEY "
                f"(key id {self.header.get('key_id')}; this key is {key_id(key)})"
            )
        self._aead = AESGCM(key)
        self._prefix = bytes.fromhex(str(self.header["nonce_prefix"]))
        self._decompressor = zlib.decompressobj()
        self._plain = bytearray()
        self._tail = b""
        """Authenticated, still compressed bytes: inflated a bounded piece at a time."""
        self._full = False
        self._counter = 0
        self._last_seen = False
        self._done = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._plain) < size):
            self._fill()
        if size < 0:
            size = len(self._plain)
        data = bytes(self._plain[:size])
        del self._plain[:size]
        return data

    def finish(self) -> None:
        """Reads to the end of the archive, checking its last record and what follows."""
        while not self._done:
            self._fill()
            self._plain.clear()

    def _open_next(self) -> None:
        raw = self._source.read(4)
        if len(raw) < 4:
            raise DamagedArchive("the archive is truncated (it ends before its last record)")
        (word,) = struct.unpack(">I", raw)
        last, length = bool(word & _LAST), word & ~_LAST
        if length < _TAG or length > CHUNK_SIZE + _TAG + 1024:
            raise DamagedArchive("the archive is damaged (bad record length)")
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise DamagedArchive("the archive is truncated (it ends inside a record)")
        try:
            chunk = self._aead.decrypt(
                _nonce(self._prefix, self._counter, last), sealed, self._header
            )
        except InvalidTag:
            raise DamagedArchive(
                "the archive failed authentication: it was altered or damaged"
            ) from None
        self._counter += 1
        self._tail, self._last_seen = chunk, last

    def _fill(self) -> None:
        if self._tail or self._full:
            out = self._decompressor.decompress(self._tail, CHUNK_SIZE)
            self._tail = self._decompressor.unconsumed_tail
            self._full = len(out) == CHUNK_SIZE  # zlib may hold more output for us
            self._plain += out
        elif not self._last_seen:
            self._open_next()
        else:
            self._plain += self._decompressor.flush()
            if not self._decompressor.eof or self._decompressor.unused_data:
                raise DamagedArchive("the archive is damaged (compressed stream)")
            if self._source.read(1):
                raise DamagedArchive("the archive has data after its last record")
            self._done = True
