"""OFX 1.x (SGML), OFX 2.x (XML) and QFX bank and card statements, streamed.

ofxtools does the OFX-specific work: it validates the header (`OFXHeaderV1/V2`) and
its `TreeBuilder` turns SGML without closing tags, or XML, into elements. We feed it
one `<STMTTRN>` at a time instead of the whole file, and read the fields ourselves
rather than through `OFXTree.convert()`, because (checked with ofxtools 1.1.1):

* `convert()` turns DTPOSTED into a UTC datetime, so '20251203000000[+1:CET]'
  becomes 2 December: the day the bank printed is lost. We read the day as written.
* `convert()` rejects NAME values over 32 characters (`String.strict`), which real
  bank files exceed; and it needs the whole tree in memory (about 650 MB and 10 s
  for 100,000 transactions). One transaction at a time keeps memory flat.
* Quicken's private tags (`<INTU.BID>`) only raise warnings there; here they are
  simply not read.

The statement skeleton (everything outside `<STMTTRN>`) is still fed to
ofxtools' `TreeBuilder` at the end, so a truncated or mis-nested file is an error.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import BinaryIO
from xml.etree.ElementTree import Element

from ofxtools.header import OFXHeaderError, OFXHeaderV1, OFXHeaderV2
from ofxtools.Parser import TreeBuilder

from homeledger.imports.parsers.base import (
    Balance,
    ParsedStatement,
    ParsedTransaction,
    StatementParser,
)
from homeledger.imports.parsers.text_decoding import BLOCK_SIZE, read_head, sniff_encoding
from homeledger.imports.parsers.values import InvalidValueError, parse_decimal_strict

_OFX_START = re.compile(rb"<OFX>", re.IGNORECASE)
_TAG = re.compile(r"<(/?)([A-Za-z0-9._]+)>([^<]*)")
_OFX_DATE = re.compile(
    r"(\d{4})(\d{2})(\d{2})(?:\d{2}(?:\d{2}(?:\d{2}(?:\.\d{1,3})?)?)?)?(?:\[.*\])?"
)
_STATEMENT_TAGS = {"STMTRS", "CCSTMTRS", "INVSTMTRS"}
_START, _END = "<STMTTRN>", "</STMTTRN>"
_LIBRARY_ERRORS = (SyntaxError, AssertionError, IndexError, ValueError, KeyError, TypeError)


class OfxParser(StatementParser):
    format_name = "ofx"

    def __init__(self, stream: BinaryIO, source_name: str) -> None:
        super().__init__(stream, source_name)
        self._skeleton: list[str] = []
        self._path: list[str] = []
        self._institution: str | None = None
        self._counts: dict[int, int] = {}

    def _parse(self) -> Iterator[ParsedTransaction]:
        codec, body, first_line = self._read_header()
        decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        buffer, line = "", first_line
        eof = False
        while True:
            start = buffer.find(_START)
            if start < 0 or buffer.find(_END, start) < 0:
                if eof:
                    break
                block = body.read(BLOCK_SIZE)
                eof = not block
                buffer += decoder.decode(block, final=eof)
                continue
            line = self._skeleton_text(buffer[:start], line)
            end = buffer.index(_END, start) + len(_END)
            chunk = buffer[start:end]
            yield self._transaction(chunk, line)
            line += chunk.count("\n")
            buffer = buffer[end:]
        if _START in buffer:
            at = buffer.index(_START)
            line = self._skeleton_text(buffer[:at], line)
            raise self.error(line, None, "the file ends inside a <STMTTRN> (truncated?)")
        line = self._skeleton_text(buffer, line)
        self._check_skeleton(line)
        for index, count in self._counts.items():
            self._update_statement(index, transaction_count=count)

    def _read_header(self) -> tuple[str, BinaryIO, int]:
        head, stream = read_head(self._stream)
        match = _OFX_START.search(head)
        if match is None:
            raise self.error(None, None, "not an OFX file: no <OFX> element at the start")
        header_bytes = head[: match.start()]
        header_text = header_bytes.decode("ascii", "replace")
        stream.read(match.start())  # consume the header; the body starts at <OFX>
        first_line = header_bytes.count(b"\n") + 1
        try:
            if header_text.lstrip().startswith("<?xml"):
                OFXHeaderV2.parse(header_text)
                return "utf-8", stream, first_line
            if header_text.strip():
                header, _ = OFXHeaderV1.parse(header_text)
                return str(header.codec), stream, first_line
        except (OFXHeaderError, ValueError, KeyError) as exc:
            raise self.error(1, None, f"the OFX header is not valid ({exc})") from exc
        # Some banks send the body with no header at all: guess its encoding.
        return sniff_encoding(head[match.start() :], self.source_name), stream, first_line

    def _skeleton_text(self, text: str, line: int) -> int:
        """Track statement-level facts in text outside transactions; return the new line."""
        self._skeleton.append(text)
        for match in _TAG.finditer(text):
            closing, tag, value = match.group(1), match.group(2).upper(), match.group(3).strip()
            tag_line = line + text.count("\n", 0, match.start())
            if closing:
                if tag in self._path:
                    del self._path[self._path.index(tag) :]
                continue
            if value:
                self._leaf(tag, value, tag_line)
            else:
                self._path.append(tag)
                if tag in _STATEMENT_TAGS:
                    index = len(self._statements)
                    statement = ParsedStatement(index, tag_line, institution_hint=self._institution)
                    self._add_statement(statement)
                    self._counts[index] = 0
        return line + text.count("\n")

    def _leaf(self, tag: str, value: str, line: int) -> None:
        if tag == "FID" and "FI" in self._path:
            self._institution = value
        if not self._statements or not any(t in self._path for t in _STATEMENT_TAGS):
            return
        index = len(self._statements) - 1
        statement = self._statements[index]
        if tag == "CURDEF":
            self._update_statement(index, currency=value.upper())
        elif tag == "ACCTID":
            self._update_statement(index, account_id_hint=value)
        elif tag == "BANKID":
            self._update_statement(index, institution_hint=value)
        elif tag in ("DTSTART", "DTEND"):
            key = "period_start" if tag == "DTSTART" else "period_end"
            self._update_statement(index, **{key: self._date(value, line, tag)})
        elif "LEDGERBAL" in self._path and tag in ("BALAMT", "DTASOF"):
            balance = statement.closing_balance or Balance(Decimal(0))
            if tag == "BALAMT":
                balance = Balance(self._amount(value, line, tag), balance.date)
            else:
                balance = Balance(balance.amount, self._date(value, line, tag))
            self._update_statement(index, closing_balance=balance)

    def _check_skeleton(self, last_line: int) -> None:
        if not self._statements:
            raise self.error(None, None, "the OFX file holds no bank or card statement")
        builder = TreeBuilder()
        try:
            builder.feed("".join(self._skeleton))
            builder.close()
        except _LIBRARY_ERRORS as exc:
            message = "the OFX document is incomplete or mis-nested"
            raise self.error(last_line, None, f"{message} ({exc or 'missing end tags'})") from exc

    def _transaction(self, chunk: str, line: int) -> ParsedTransaction:
        if _START in chunk[len(_START) :]:
            raise self.error(line, None, "a <STMTTRN> is not closed before the next one")
        if not self._statements:
            raise self.error(line, None, "a transaction outside any statement")
        builder = TreeBuilder()
        try:
            builder.feed(chunk)
            element: Element = builder.close()
        except _LIBRARY_ERRORS as exc:
            raise self.error(line, None, f"the transaction is not valid OFX ({exc})") from exc
        index = len(self._statements) - 1
        statement = self._statements[index]
        self._counts[index] += 1
        raw = {child.tag: (child.text or "").strip() for child in element.iter() if child.text}
        posted = _required(element, "DTPOSTED")
        amount_text = _required(element, "TRNAMT")
        if posted is None or amount_text is None:
            missing = "DTPOSTED" if posted is None else "TRNAMT"
            raise self.error(line, missing, "the transaction has no " + missing)
        payee = _text(element.findtext("NAME") or element.findtext("PAYEE/NAME"))
        available = element.findtext("DTAVAIL")
        return ParsedTransaction(
            line=line,
            date=self._date(posted, line, "DTPOSTED"),
            amount=self._amount(amount_text, line, "TRNAMT"),
            currency=(element.findtext("CURRENCY/CURSYM") or statement.currency or None),
            payee=payee,
            memo=_text(element.findtext("MEMO")),
            bank_id=(element.findtext("FITID") or "").strip() or None,
            value_date=self._date(available, line, "DTAVAIL") if available else None,
            check_number=(element.findtext("CHECKNUM") or "").strip() or None,
            counterparty_account=(element.findtext("BANKACCTTO/ACCTID") or None),
            statement_index=index,
            raw=raw,
        )

    def _date(self, text: str, line: int, field_name: str) -> dt.date:
        match = _OFX_DATE.fullmatch(text.strip())
        try:
            if match is None:
                raise ValueError(text)
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            message = f"{text.strip()!r} is not an OFX date (YYYYMMDD...)"
            raise self.error(line, field_name, message) from None

    def _amount(self, text: str, line: int, field_name: str) -> Decimal:
        try:
            return parse_decimal_strict(text)
        except InvalidValueError as exc:
            raise self.error(line, field_name, str(exc)) from None


_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _text(value: str | None) -> str:
    """Entities decoded (XML files write &amp;), whitespace runs collapsed.

    Only the XML entities: SGML files write a bare 'AT&T', which must stay as is.
    """
    if not value:
        return ""
    return " ".join(_ENTITY.sub(_entity, value).split())


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#"):
        code = int(name[2:], 16) if name[1:2] == "x" else int(name[1:])
        valid = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
        return chr(code) if valid else match.group()
    return _NAMED[name]


def _required(element: Element, path: str) -> str | None:
    text = element.findtext(path)
    return text.strip() if text and text.strip() else None
