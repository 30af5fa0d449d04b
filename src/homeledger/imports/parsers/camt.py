"""CAMT.053 bank statements (ISO 20022), also camt.052/054, streamed entry by entry.

A small parser of our own on lxml's `iterparse` rather than a wrapper of pycamt,
because pycamt 1.1.1 (checked) gets batch entries and balances wrong:

* in a batch entry (one `<Ntry>` with several `<TxDtls>`) it takes each detail's
  first `.//Amt`, which is the instructed amount (`AmtDtls/InstdAmt`, possibly in
  another currency) when present, and falls back to the whole entry's amount when a
  detail has none, so a batch can add up to more than the bank booked;
* it turns debit balances into floats (`str(-float(...))`);
* it builds the whole tree in memory and gives no source lines for errors.

Rules here: a batch is split into its details only when every detail has its own
amount and they add up to the entry; otherwise the entry stays one transaction.
The sign comes from `CdtDbtInd` (a reversal keeps the direction the bank booked).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from lxml import etree

from homeledger.imports.parsers.base import (
    Balance,
    ParsedStatement,
    ParsedTransaction,
    StatementParser,
    TransactionStatus,
)
from homeledger.imports.parsers.values import (
    InvalidValueError,
    parse_decimal_strict,
    parse_iso_date,
)

_STATEMENT_TAGS = {"Stmt", "Rpt", "Ntfctn"}
_OPENING = {"OPBD", "PRCD"}
_CLOSING = {"CLBD"}


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _parent_tag(element: etree._Element) -> str:
    parent = element.getparent()
    return "" if parent is None else _local(parent.tag)


class _Finder:
    """Namespace-agnostic child lookups ('BookgDt/Dt') on one element."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element

    def find(self, path: str) -> etree._Element | None:
        current: etree._Element | None = self.element
        for step in path.split("/"):
            if current is None:
                return None
            current = next((c for c in current if _local(c.tag) == step), None)
        return current

    def text(self, *paths: str) -> str | None:
        for path in paths:
            found = self.find(path)
            if found is not None and found.text and found.text.strip():
                return found.text.strip()
        return None

    def all(self, path: str) -> list[etree._Element]:
        *parents, last = path.split("/")
        parent = self.find("/".join(parents)) if parents else self.element
        if parent is None:
            return []
        return [child for child in parent if _local(child.tag) == last]


class CamtParser(StatementParser):
    format_name = "camt"

    def _parse(self) -> Iterator[ParsedTransaction]:
        events = etree.iterparse(
            self._stream,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
        )
        checked_root = False
        try:
            for event, element in events:
                tag = _local(element.tag)
                if not checked_root:
                    self._check_root(element)
                    checked_root = True
                if event == "start":
                    if tag in _STATEMENT_TAGS:
                        index = len(self._statements)
                        self._add_statement(ParsedStatement(index, element.sourceline or 1))
                    continue
                if tag == "Ntry" and self._statements:
                    yield from self._entry(element)
                    _forget(element)
                elif tag == "Acct" and _parent_tag(element) in _STATEMENT_TAGS:
                    self._account(element)
                elif tag == "Bal":
                    self._balance(element)
                elif tag == "FrToDt" and _parent_tag(element) in _STATEMENT_TAGS:
                    self._period(element)
        except etree.XMLSyntaxError as exc:
            line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
            message = "the XML is not well-formed or ends early (truncated?)"
            raise self.error(line, None, f"{message}: {exc.msg}") from exc
        if not checked_root:
            raise self.error(None, None, "the file is empty")
        if not self._statements:
            raise self.error(None, None, "the CAMT file holds no statement (<Stmt>)")

    def _check_root(self, root: etree._Element) -> None:
        namespace = str(root.tag).partition("}")[0]
        if _local(root.tag) != "Document" or "camt.05" not in namespace:
            raise self.error(
                root.sourceline, None, "not a CAMT statement: the root is not a camt.05x Document"
            )

    def _account(self, element: etree._Element) -> None:
        acct = _Finder(element)
        index = len(self._statements) - 1
        self._update_statement(
            index,
            account_id_hint=acct.text("Id/IBAN", "Id/Othr/Id"),
            currency=acct.text("Ccy"),
            institution_hint=acct.text("Svcr/FinInstnId/BICFI", "Svcr/FinInstnId/BIC"),
        )

    def _balance(self, element: etree._Element) -> None:
        balance = _Finder(element)
        code = balance.text("Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry")
        if code not in _OPENING | _CLOSING or not self._statements:
            return
        line = element.sourceline
        amount = self._signed(balance, line)
        day_text = balance.text("Dt/Dt", "Dt/DtTm")
        day = self._date(day_text, line, "Bal/Dt") if day_text else None
        key = "opening_balance" if code in _OPENING else "closing_balance"
        self._update_statement(len(self._statements) - 1, **{key: Balance(amount, day)})

    def _period(self, element: etree._Element) -> None:
        period = _Finder(element)
        start, end = period.text("FrDtTm"), period.text("ToDtTm")
        line = element.sourceline
        self._update_statement(
            len(self._statements) - 1,
            period_start=self._date(start, line, "FrDtTm") if start else None,
            period_end=self._date(end, line, "ToDtTm") if end else None,
        )

    def _entry(self, element: etree._Element) -> Iterator[ParsedTransaction]:
        entry = _Finder(element)
        line = element.sourceline or 0
        amount = self._signed(entry, line)
        booked = entry.text("BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm")
        if booked is None:
            raise self.error(line, "BookgDt", "the entry has no booking date")
        value_text = entry.text("ValDt/Dt", "ValDt/DtTm")
        status_text = entry.text("Sts/Cd", "Sts") or "BOOK"
        base = {
            "date": self._date(booked, line, "BookgDt"),
            "value_date": self._date(value_text, line, "ValDt") if value_text else None,
            "status": _status(status_text),
            "currency": _currency(entry),
        }
        entry_ref = entry.text("AcctSvcrRef")
        entry_info = entry.text("AddtlNtryInf") or ""
        details = [_Finder(d) for d in entry.all("NtryDtls/TxDtls")]
        index = len(self._statements) - 1
        raw_entry = {
            "AcctSvcrRef": entry_ref or "",
            "CdtDbtInd": entry.text("CdtDbtInd") or "",
            "Sts": status_text,
            "RvslInd": entry.text("RvslInd") or "",
            "BkTxCd": "/".join(
                filter(None, [entry.text("BkTxCd/Domn/Cd"), entry.text("BkTxCd/Domn/Fmly/Cd")])
            ),
            "AddtlNtryInf": entry_info,
        }
        parts = self._batch_amounts(details, amount) if len(details) > 1 else None
        if parts is None:
            detail = details[0] if len(details) == 1 else None
            payee, memo, counterparty, raw = _describe(detail, amount)
            self._count(index)
            yield ParsedTransaction(
                line=line,
                amount=amount,
                payee=payee or ("" if detail else entry_info),
                memo=memo or (entry_info if detail else ""),
                bank_id=entry_ref,
                counterparty_account=counterparty,
                statement_index=index,
                raw=raw_entry | raw | {"TxDtls": str(len(details))},
                **base,  # type: ignore[arg-type]
            )
            return
        for number, (detail, part) in enumerate(zip(details, parts, strict=True), start=1):
            payee, memo, counterparty, raw = _describe(detail, part)
            self._count(index)
            own_ref = detail.text("Refs/AcctSvcrRef")
            yield ParsedTransaction(
                line=detail.element.sourceline or line,
                amount=part,
                payee=payee,
                memo=memo or entry_info,
                bank_id=own_ref or (f"{entry_ref}#{number}" if entry_ref else None),
                counterparty_account=counterparty,
                statement_index=index,
                raw=raw_entry | raw | {"batch": f"{number}/{len(details)}"},
                **base,  # type: ignore[arg-type]
            )

    def _batch_amounts(self, details: list[_Finder], total: Decimal) -> list[Decimal] | None:
        parts: list[Decimal] = []
        for detail in details:
            text = detail.text("Amt", "AmtDtls/TxAmt/Amt")
            if text is None:
                return None
            line = detail.element.sourceline or 0
            value = self._amount(text, line, "TxDtls/Amt")
            indicator = detail.text("CdtDbtInd")
            sign = total.copy_sign(Decimal(1)) if indicator is None else _sign(indicator)
            parts.append(abs(value) * sign)
        return parts if sum(parts, Decimal(0)) == total else None

    def _signed(self, finder: _Finder, line: int | None) -> Decimal:
        text = finder.text("Amt")
        if text is None:
            raise self.error(line, "Amt", "the amount is missing")
        value = self._amount(text, line, "Amt")
        indicator = finder.text("CdtDbtInd")
        if indicator not in ("CRDT", "DBIT"):
            raise self.error(line, "CdtDbtInd", f"{indicator!r} is neither CRDT nor DBIT")
        return abs(value) * _sign(indicator)

    def _amount(self, text: str, line: int | None, field_name: str) -> Decimal:
        try:
            return parse_decimal_strict(text)
        except InvalidValueError as exc:
            raise self.error(line, field_name, str(exc)) from None

    def _date(self, text: str, line: int | None, field_name: str) -> dt.date:
        try:
            return parse_iso_date(text)
        except InvalidValueError as exc:
            raise self.error(line, field_name, str(exc)) from None

    def _count(self, index: int) -> None:
        count = self._statements[index].transaction_count
        self._update_statement(index, transaction_count=count + 1)


def _sign(indicator: str) -> Decimal:
    return Decimal(-1) if indicator == "DBIT" else Decimal(1)


def _status(code: str) -> TransactionStatus:
    return "booked" if code.upper() == "BOOK" else "pending"


def _currency(entry: _Finder) -> str | None:
    amount = entry.find("Amt")
    currency = amount.get("Ccy") if amount is not None else None
    return str(currency) if currency else None


def _describe(
    detail: _Finder | None, amount: Decimal
) -> tuple[str, str, str | None, dict[str, str]]:
    """Payee, memo, counterparty account and raw fields of one transaction detail."""
    if detail is None:
        return "", "", None, {}
    # Money out goes to the creditor; money in comes from the debtor.
    # A returned debit is money in that names only the creditor: try both sides.
    sides = ("Cdtr", "Dbtr") if amount < 0 else ("Dbtr", "Cdtr")
    payee = counterparty = None
    for side in sides:
        payee = detail.text(
            f"RltdPties/{side}/Nm",
            f"RltdPties/{side}/Pty/Nm",
            f"RltdPties/Ultmt{side}/Nm",
            f"RltdPties/Ultmt{side}/Pty/Nm",
        )
        account = f"RltdPties/{side}Acct/Id"
        counterparty = detail.text(f"{account}/IBAN", f"{account}/Othr/Id")
        if payee or counterparty:
            break
    unstructured = [
        " ".join((node.text or "").split()) for node in detail.all("RmtInf/Ustrd") if node.text
    ]
    memo = " ".join(unstructured) or detail.text("RmtInf/Strd/CdtrRefInf/Ref", "AddtlTxInf") or ""
    raw = {
        "EndToEndId": detail.text("Refs/EndToEndId") or "",
        "MndtId": detail.text("Refs/MndtId") or "",
        "Nm": payee or "",
        "RmtInf": memo,
    }
    return " ".join((payee or "").split()), memo, counterparty, raw


def _forget(element: etree._Element) -> None:
    """Drop a processed entry and its earlier siblings: memory stays flat."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is None:
        return
    while element.getprevious() is not None:
        del parent[0]
