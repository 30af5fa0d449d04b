"""Which format a bank file is in, from its first bytes (`--format auto`).

Content decides, never the file name: banks name MT940 files '.txt' and CAMT
files '.xml', and users rename downloads.
"""

from __future__ import annotations

import codecs
import re

from homeledger.imports.errors import ImportFileError
from homeledger.imports.parsers.base import FileFormat

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_QIF = re.compile(r"^\s*!(?:type|account|option|clear)", re.IGNORECASE)
_MT940_START = re.compile(r"^(?:\{1:F01|:20:)", re.MULTILINE)
_MT940_TAGS = re.compile(r"^:(?:25|28C|60[FM]|61):", re.MULTILINE)


def detect_format(head: bytes, source_name: str) -> FileFormat:
    """The format of a file from its first bytes; ImportFileError if it is none of ours."""
    for bom in _BOMS:
        head = head.removeprefix(bom)
    if b"\x00" in head[:512]:
        head = head.replace(b"\x00", b"")  # UTF-16 text: the markers are ASCII
    text = head[:8192].decode("latin-1").lstrip()
    if not text:
        raise ImportFileError(source_name, None, None, "the file is empty")
    upper = text.upper()
    if (
        upper.startswith("OFXHEADER")
        or re.match(r"<\?XML[^>]*>\s*<\?OFX", upper)
        or (upper.startswith("<OFX>"))
    ):
        return "ofx"
    if text.startswith("<"):
        if "camt.05" in text:
            return "camt"
        if "<OFX>" in upper:
            return "ofx"
        raise ImportFileError(
            source_name, 1, None, "an XML file that is neither a CAMT statement nor OFX"
        )
    if _QIF.match(text):
        return "qif"
    if _MT940_START.search(text) and _MT940_TAGS.search(text):
        return "mt940"
    return "csv"
