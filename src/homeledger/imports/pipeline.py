"""The import pipeline: a list of small named steps over chunks of rows.

    detect -> parse -> normalise -> dedupe -> rules -> transfers -> stage -> commit

`detect` and `parse` (imports.reading) read the file once, streaming; `stage` and
`commit` (imports.writer) write; the steps in between live here. All but the first two
take a chunk of
`CHUNK_SIZE` rows at a time, so memory stays flat however long the file is, and every
database lookup is one indexed query per chunk. Rules run before transfers: a rule's
category beats a guessed transfer, and a rule's 'transfer to' makes the far side of
that transfer the one to join.

The same steps serve three uses (`Mode`): an upload that records the rows and what
would happen to them (the preview, no ledger writes), the commit of such an upload,
and the one-pass import of the CLI. Every write happens in the caller's database
transaction: all rows or none.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from homeledger.accounts.models import Account, AccountType, Kind
from homeledger.imports import matching
from homeledger.imports.models import ImportBatch, RowOutcome
from homeledger.imports.repository import ImportRepository, PostingHit
from homeledger.kit.money import exponent
from homeledger.kit.tenancy import Ctx
from homeledger.rules import matching as rule_matching
from homeledger.rules import service as rules_service
from homeledger.rules.payees import clean_payee, payee_key

CHUNK_SIZE = 2000
STEPS = (
    "detect",
    "parse",
    "normalise",
    "dedupe",
    "rules",
    "transfers",
    "stage",
    "commit",
)
SHEET = (Kind.ASSET.value, Kind.LIABILITY.value)
CATEGORY = (Kind.INCOME.value, Kind.EXPENSE.value)
# Plain strings: an enum's .value costs a descriptor call, a million times per file.
NEW, DUPLICATE, TRANSFER = (
    RowOutcome.NEW.value,
    RowOutcome.DUPLICATE.value,
    RowOutcome.TRANSFER.value,
)
ERROR, SKIPPED = RowOutcome.ERROR.value, RowOutcome.SKIPPED.value


class Mode(Enum):
    PREVIEW = "preview"
    """Upload: record the rows with what would happen; nothing in the ledger."""
    COMMIT_STAGED = "commit-staged"
    """Commit an upload: decide again (the ledger may have changed) and write."""
    DIRECT = "direct"
    """Parse, decide and write in one pass (the CLI)."""

    @property
    def writes_ledger(self) -> bool:
        return self is not Mode.PREVIEW

    @property
    def reads_file(self) -> bool:
        return self is not Mode.COMMIT_STAGED


@dataclass(frozen=True, slots=True)
class FileSplit:
    amount_minor: int
    category: str | None
    memo: str
    transfer_account: str | None


@dataclass(frozen=True, slots=True)
class Override:
    """The user's word on one row of a preview."""

    action: str | None = None
    """'new' imports it even if it looks like a duplicate; 'skip' leaves it out."""
    payee: str | None = None
    category_id: str | None = None


@dataclass(slots=True)
class Row:
    """One transaction of the file on its way through the steps."""

    line: int
    date: dt.date
    amount_minor: int
    currency: str
    pending: bool
    raw_payee: str
    memo: str
    bank_id: str | None
    fingerprint: int = 0
    occurrence: int = 0
    category_hint: str | None = None
    transfer_hint: str | None = None
    splits: tuple[FileSplit, ...] = ()
    row_id: int | None = None
    """The import_rows id once recorded."""
    payee: str = ""
    outcome: str = NEW
    reason: str = ""
    target_id: str | None = None
    target_reason: str = ""
    split_lines: list[tuple[str | None, int, str]] = field(default_factory=list)
    """(category or account id, amount, memo); None: the Uncategorised category."""
    tags: list[str] = field(default_factory=list)
    memo_override: str | None = None
    transaction_id: str | None = None
    is_link: bool = False
    merge_posting_id: str | None = None
    """Transfer: the Uncategorised posting of the far side that becomes this row's."""
    upgrade_posting_id: str | None = None
    """Pending now booked: the posting that becomes cleared."""
    learned_key: str | None = None

    @property
    def is_new(self) -> bool:
        return self.outcome == NEW

    @property
    def payee_key(self) -> str:
        return payee_key(self.raw_payee)  # cached per text

    def extra(self) -> str | None:
        if not (self.category_hint or self.transfer_hint or self.splits):
            return None
        return json.dumps(
            {
                "category": self.category_hint,
                "transfer": self.transfer_hint,
                "splits": [
                    [s.amount_minor, s.category, s.memo, s.transfer_account] for s in self.splits
                ],
            }
        )


@dataclass
class Staged:
    """The writes one chunk needs, built by `stage` and made by `commit`."""

    transactions: list[dict[str, Any]] = field(default_factory=list)
    postings: list[dict[str, Any]] = field(default_factory=list)
    tag_links: list[dict[str, str]] = field(default_factory=list)
    new_payees: list[dict[str, Any]] = field(default_factory=list)
    new_tags: list[dict[str, Any]] = field(default_factory=list)
    merges: list[Row] = field(default_factory=list)
    upgrades: list[str] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    remembered: dict[str, str] = field(default_factory=dict)
    """payee key -> the newest transaction made for it."""


ProgressCallback = Callable[[int], None]
"""Called after each chunk with the number of rows done so far."""


@dataclass
class Run:
    """One run of the pipeline over one file (or one staged upload)."""

    session: Session
    ctx: Ctx
    account: Account
    batch: ImportBatch
    mode: Mode
    accounts: dict[str, Account]
    rules: list[rule_matching.Rule]
    overrides: dict[int, Override] = field(default_factory=dict)
    progress: ProgressCallback | None = None
    counts: Counter[str] = field(default_factory=Counter)
    claimed: set[str] = field(default_factory=set)
    """Transactions a row of this run already matched: each matches once."""
    uncategorised: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    """The first few row errors, 'line 14: ...', for messages."""
    learned_corrections: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    staged: Staged = field(default_factory=Staged)

    @property
    def repo(self) -> ImportRepository:
        return ImportRepository(self.session)

    def category_paths(self) -> dict[str, str]:
        from homeledger.accounts import calc

        categories = [a for a in self.accounts.values() if a.kind in CATEGORY]
        paths = calc.paths(calc.Node(a.id, a.name, a.parent_id) for a in categories)
        return {path.casefold(): account_id for account_id, path in paths.items()}

    def own_accounts(self) -> dict[str, Account]:
        """The household's other open accounts in this account's currency."""
        return {
            a.id: a
            for a in self.accounts.values()
            if a.kind in SHEET
            and a.id != self.account.id
            and a.currency == self.account.currency
            and not a.is_archived
        }


def mark_error(row: Row, reason: str) -> Row:
    row.outcome, row.reason = ERROR, reason
    return row


# Chunk steps


def normalise(run: Run, rows: list[Row]) -> None:
    """Payee clean-up (the user's aliases and corrections first) and, for rows fresh
    from the file, the occurrence index of identical rows within the file."""
    keys = {row.payee_key for row in rows if row.raw_payee}
    known, learned = rules_service.remembered(
        run.session, run.ctx, keys, run.accounts, run.account.id
    )
    run.learned_corrections += learned
    for row in rows:
        row.payee = clean_payee(row.raw_payee) if row.raw_payee else ""
        memory = known.get(row.payee_key)
        if memory is not None:
            row.payee = memory.payee or row.payee
            if memory.target_id:
                row.target_id, row.target_reason = memory.target_id, memory.how
        if row.raw_payee:
            row.learned_key = row.payee_key
    if run.mode.reads_file:
        seen = run.repo.batch_fingerprint_counts(
            run.account.id, (r.fingerprint for r in rows if not _is_error(r)), run.batch.id
        )
        in_chunk: Counter[int] = Counter()
        for row in rows:
            if not _is_error(row):
                row.occurrence = seen.get(row.fingerprint, 0) + in_chunk[row.fingerprint]
                in_chunk[row.fingerprint] += 1


def _is_error(row: Row) -> bool:
    return row.outcome == ERROR


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def dedupe(run: Run, rows: list[Row]) -> None:
    """Bank id, then fingerprint with its occurrence, then fuzzy matching against
    entries not made by an import (and pending ones now booked)."""
    repo, account_id = run.repo, run.account.id
    for row in rows:
        override = run.overrides.get(row.line)
        if override and override.action == "skip" and not _is_error(row):
            row.outcome, row.reason = SKIPPED, "left out at your request"
    live = [r for r in rows if r.is_new]
    bank_ids = [r.bank_id for r in live if r.bank_id]
    first_lines = repo.first_lines_with_bank_ids(run.batch.id, account_id, bank_ids)
    links = repo.bank_id_links(account_id, bank_ids)
    prints = repo.fingerprint_links(account_id, (r.fingerprint for r in live), run.batch.id)
    for row in live:
        if row.bank_id:
            first = first_lines.get(row.bank_id, row.line)
            if first < row.line:
                _duplicate(row, f"same bank id as line {first} of this file")
                continue
            first_lines[row.bank_id] = row.line
            link = links.get(row.bank_id)
            if link is not None and link.batch_id != run.batch.id:
                _duplicate(row, f"same bank id as the transaction of {link.date}")
                continue
        every, without_bank_id = prints.get(row.fingerprint, (0, 0))
        before = without_bank_id if row.bank_id else every
        if row.occurrence < before:
            alike = f" ({_ordinal(row.occurrence + 1)} of {before} alike)" if before > 1 else ""
            _duplicate(row, f"same date, amount and payee as the transaction of {row.date}{alike}")
    _fuzzy(run, [r for r in live if r.is_new])
    for row in rows:
        override = run.overrides.get(row.line)
        if override and override.action == "new" and row.outcome == DUPLICATE:
            row.outcome, row.reason = (
                NEW,
                f"imported at your request ({row.reason})",
            )
            row.transaction_id = row.upgrade_posting_id = None
            row.is_link = False


def _duplicate(row: Row, reason: str) -> None:
    row.outcome, row.reason = DUPLICATE, reason


def _window(rows: list[Row], days: int) -> tuple[dt.date, dt.date]:
    return (
        min(r.date for r in rows) - dt.timedelta(days=days),
        max(r.date for r in rows) + dt.timedelta(days=days),
    )


def _fuzzy(run: Run, rows: list[Row]) -> None:
    if not rows:
        return
    repo, account_id = run.repo, run.account.id
    start, end = _window(rows, matching.FUZZY_DAYS)
    hits = repo.account_postings(run.ctx, [account_id], {r.amount_minor for r in rows}, start, end)
    if not hits:
        return
    links = repo.links_of((h.transaction_id for h in hits), account_id)
    others = repo.other_accounts((h.transaction_id for h in hits), account_id)
    candidates = []
    for hit in hits:
        linked = links.get(hit.transaction_id, [])
        if linked and not (hit.pending and all(pending for _, pending in linked)):
            continue  # an import already stands for it (and it is not a pending one)
        candidates.append(_candidate(run, hit, others.get(hit.transaction_id, [])))
    for row in rows:
        found = matching.fuzzy_match(
            row.date,
            row.amount_minor,
            (row.raw_payee, row.payee, row.memo),
            row.pending,
            candidates,
            run.claimed,
        )
        if found is None:
            continue
        c = found.candidate
        _duplicate(row, found.reason)
        row.transaction_id, row.is_link = c.transaction_id, True
        if c.pending and not row.pending:
            row.upgrade_posting_id = c.posting_id
        run.claimed.add(c.transaction_id)


def _candidate(run: Run, hit: PostingHit, other_accounts: list[str]) -> matching.Candidate:
    transfer = next(
        (
            run.accounts[a]
            for a in other_accounts
            if a in run.accounts and run.accounts[a].kind in SHEET
        ),
        None,
    )
    if transfer is not None:
        description = f"transfer with {transfer.name}"
    elif hit.pending:
        description = "transaction"
    else:
        description = "manual entry"
    return matching.Candidate(
        hit.transaction_id,
        hit.posting_id,
        hit.account_id,
        hit.date,
        hit.amount_minor,
        hit.payee,
        hit.memo,
        hit.pending,
        description,
        transfer=transfer is not None and hit.pending,
    )


def apply_rules(run: Run, rows: list[Row]) -> None:
    """The household's rules, then the file's own category, then what the user chose
    for the same bank text before; the user's word on a row overrides them all."""
    paths = run.category_paths() if any(r.category_hint or r.splits for r in rows) else {}
    names = {a.name.casefold(): a.id for a in run.own_accounts().values()}
    places = exponent(run.account.currency or "EUR")
    for row in (r for r in rows if r.is_new):
        outcome = rule_matching.apply_rules(
            run.rules,
            rule_matching.Subject(
                account_id=run.account.id,
                date=row.date,
                amount_minor=row.amount_minor,
                exponent=places,
                payee=row.payee,
                memo=row.memo,
                raw_payee=row.raw_payee,
            ),
        )
        row.payee = outcome.payee or row.payee
        row.memo_override, row.tags = outcome.memo, list(outcome.tags)
        explanation = outcome.explain()
        if outcome.transfer_account_id and outcome.transfer_account_id in run.own_accounts():
            row.target_id, row.target_reason = outcome.transfer_account_id, explanation
        elif outcome.splits:
            row.split_lines = [(s.category_id, s.amount_minor, s.memo) for s in outcome.splits]
            row.target_id, row.target_reason = outcome.category_id, explanation
        elif outcome.category_id:
            row.target_id, row.target_reason = outcome.category_id, explanation
        elif row.splits:
            row.split_lines = [_file_split(s, paths, names) for s in row.splits]
            row.target_id, row.target_reason = None, "split as the file says"
        elif row.transfer_hint and row.transfer_hint.casefold() in names:
            row.target_id = names[row.transfer_hint.casefold()]
            row.target_reason = f"transfer to {row.transfer_hint} as the file says"
        elif row.category_hint and row.category_hint.casefold() in paths:
            row.target_id = paths[row.category_hint.casefold()]
            row.target_reason = f"category {row.category_hint} as the file says"
        elif row.category_hint and not row.target_id:
            row.target_reason = f"the file's category '{row.category_hint}' is not one of yours"
        override = run.overrides.get(row.line)
        if override is not None:
            if override.payee:
                row.payee = override.payee
            if override.category_id and override.category_id in run.accounts:
                row.target_id, row.target_reason = override.category_id, "your choice"
                row.split_lines = []


def _file_split(
    split: FileSplit, paths: dict[str, str], names: dict[str, str]
) -> tuple[str | None, int, str]:
    target = None
    if split.transfer_account and split.transfer_account.casefold() in names:
        target = names[split.transfer_account.casefold()]
    elif split.category and split.category.casefold() in paths:
        target = paths[split.category.casefold()]
    return (target, -split.amount_minor, split.memo)


def transfers(run: Run, rows: list[Row]) -> None:
    """A new row whose opposite already sits, uncategorised, in another own account
    joins it: one transfer instead of an expense here and an income there."""
    own = run.own_accounts()
    open_rows = [
        r
        for r in rows
        if r.is_new
        and r.amount_minor != 0
        and not r.split_lines
        and (r.target_id is None or r.target_id in own)
    ]
    if not open_rows or not own:
        return
    uncategorised = [
        a.id for a in run.accounts.values() if a.type == AccountType.UNCATEGORISED.value
    ]
    start, end = _window(open_rows, matching.TRANSFER_DAYS)
    hits = run.repo.account_postings(run.ctx, own, {-r.amount_minor for r in open_rows}, start, end)
    sides = run.repo.uncategorised_sides(run.ctx, hits, uncategorised)
    if not sides:
        return
    names = {a.id: a.name for a in own.values()}
    for row in open_rows:
        candidates = [
            _candidate(run, s, [])
            for s in sides
            if row.target_id is None or s.account_id == row.target_id
        ]
        found = matching.transfer_match(
            row.date, row.amount_minor, (row.raw_payee, row.payee), candidates, run.claimed, names
        )
        if found is None:
            continue
        side = next(s for s in sides if s.posting_id == found.candidate.posting_id)
        row.outcome, row.reason = TRANSFER, found.reason
        row.transaction_id, row.is_link = side.transaction_id, True
        row.merge_posting_id = side.other_posting_id
        row.target_id, row.target_reason = side.account_id, "transfer"
        run.claimed.add(side.transaction_id)


def count(run: Run, rows: list[Row]) -> None:
    for row in rows:
        run.counts[row.outcome] += 1
        if _is_error(row) and len(run.errors) < 20:
            run.errors.append(f"line {row.line}: {row.reason}")


ChunkStep = Callable[[Run, list[Row]], None]


def chunk_steps() -> list[tuple[str, ChunkStep]]:
    """The ordered steps each chunk goes through (stage and commit: imports.writer)."""
    from homeledger.imports import writer

    return [
        ("normalise", normalise),
        ("dedupe", dedupe),
        ("rules", apply_rules),
        ("transfers", transfers),
        ("stage", writer.stage),
        ("commit", writer.commit),
        ("count", count),
    ]


def run_chunks(run: Run, chunks: Iterable[list[Row]]) -> None:
    steps = chunk_steps()
    done = 0
    cache = run.repo.big_write_cache()
    try:
        for number, rows in enumerate(chunks, start=1):
            for _name, step in steps:
                step(run, rows)
            done += len(rows)
            if run.mode.reads_file and number & (number - 1) == 0:
                run.repo.refresh_statistics()  # after chunks 1, 2, 4, 8, ...: log2(n) times
            if run.progress is not None:
                run.progress(done)
    finally:
        run.repo.restore_cache(cache)
    if run.mode.writes_ledger:
        from homeledger.imports import writer

        writer.finish(run)


def amount_text(minor: int, currency: str) -> str:
    return str(Decimal(minor).scaleb(-exponent(currency)))
