"""Bytes to text for the line-based formats, one block at a time.

Bank files arrive as UTF-8 (often with a BOM), Windows-1252 or Latin-1, and now and
then as something else entirely. Decoding streams in blocks so a huge file never sits
in memory, and a decoding error names the line it happened on.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from homeledger.imports.errors import ImportFileError

BLOCK_SIZE = 1 << 16
HEAD_SIZE = 1 << 16
"""How much of a file detection looks at (format, encoding, CSV layout)."""

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def read_head(stream: BinaryIO) -> tuple[bytes, BinaryIO]:
    """The first HEAD_SIZE bytes, and a stream that still yields the whole file."""
    head = stream.read(HEAD_SIZE)
    return head, prefixed_stream(head, stream)


class _PrefixedStream(io.RawIOBase):
    """Replays bytes already read, then continues with the rest of the stream."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        target = memoryview(buffer).cast("B")
        if self._prefix:
            count = min(len(target), len(self._prefix))
            target[:count] = self._prefix[:count]
            self._prefix = self._prefix[count:]
            return count
        data = self._rest.read(len(target))
        target[: len(data)] = data
        return len(data)


def prefixed_stream(prefix: bytes, rest: BinaryIO) -> BinaryIO:
    return io.BufferedReader(_PrefixedStream(prefix, rest), BLOCK_SIZE)


def check_encoding(encoding: str, source_name: str) -> str:
    """The codec's canonical name, or an ImportFileError naming the unknown one."""
    try:
        return codecs.lookup(encoding).name
    except LookupError as exc:
        raise ImportFileError(source_name, None, None, f"unknown encoding {encoding!r}") from exc


def sniff_encoding(head: bytes, source_name: str) -> str:
    """Guess the text encoding of a file from its first bytes.

    A BOM decides; otherwise UTF-8 if the bytes are valid UTF-8, else Windows-1252
    (what Western European banks export), else Latin-1. Bytes that are no text at
    all (NULs, control characters) are an error, not a guess.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    candidates = ("utf-8", "cp1252", "latin-1")
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            text = decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL.findall(text)) > max(2, len(text) // 1000):
            break
        return encoding
    raise ImportFileError(
        source_name,
        None,
        None,
        "unknown encoding: the file is not text in UTF-8, Windows-1252 or Latin-1",
    )


def iter_lines(
    stream: BinaryIO, encoding: str, source_name: str, first_line: int = 1
) -> Iterator[str]:
    """Decoded lines with their line endings, read block by block.

    Only CR, LF and CRLF end a line: str.splitlines() would also split on
    characters such as U+0085 that Latin-1 payees legitimately contain.
    """
    decoder = codecs.getincrementaldecoder(check_encoding(encoding, source_name))()
    line_number = first_line
    pending = ""
    at_start = True
    while True:
        block = stream.read(BLOCK_SIZE)
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            bad_line = line_number + pending.count("\n") + block[: exc.start].count(b"\n")
            raise ImportFileError(
                source_name,
                bad_line,
                None,
                f"bytes that are not valid {encoding} (byte {block[exc.start : exc.start + 1]!r})",
            ) from exc
        if at_start and text:
            # A BOM in front of a file whose profile says plain 'utf-8'.
            text = text.removeprefix("\ufeff")
            at_start = False
        pending += text
        end = 0
        for match in _LINE.finditer(pending):
            line = match.group()
            if line.endswith("\r") and match.end() == len(pending) and block:
                # A CR at the end of a block may be the first half of a CRLF.
                break
            end = match.end()
            line_number += 1
            yield line
        pending = pending[end:]
        if not block:
            if pending:
                yield pending
            return
