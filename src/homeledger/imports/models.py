"""What was imported, from which file, and what became of every row.

`import_batches` records each file (hash, format, profile, counts, who, when) so it can
be reverted as a whole. `import_rows` holds one row per transaction the file stated,
with its fingerprint and the outcome: the link from a created (or matched)
transaction back to its batch and bank id. Dedupe reads it through two indexes,
(account, bank id) and (account, fingerprint): a few indexed lookups per chunk of
rows, never a scan of history.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from homeledger.db.base import Base, created_column, id_column, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
RowId = BigInteger().with_variant(Integer(), "sqlite")


class BatchStatus(StrEnum):
    STAGED = "staged"
    """Uploaded and previewed; nothing in the ledger yet."""
    COMMITTED = "committed"
    REVERTED = "reverted"


class RowOutcome(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"
    TRANSFER = "transfer"
    ERROR = "error"
    SKIPPED = "skipped"
    """The user chose not to import it."""


class ImportBatch(Base):
    __tablename__ = "import_batches"
    __table_args__ = (
        Index("ix_import_batches_household_created", "household_id", "created_at"),
        Index("ix_import_batches_account_sha256", "account_id", "file_sha256"),
    )

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    format: Mapped[str] = mapped_column(String(10))
    """csv | ofx | qif | camt | mt940"""
    profile_name: Mapped[str] = mapped_column(String(100), default="")
    profile_json: Mapped[str | None] = mapped_column(Text, default=None)
    """The CSV profile that read the file, as `CsvProfile.to_json()`."""
    notes: Mapped[str] = mapped_column(Text, default="[]")
    """JSON list of what detection was unsure about, in words."""
    status: Mapped[str] = mapped_column(String(10), default=BatchStatus.STAGED.value)
    parsed_count: Mapped[int] = mapped_column(default=0)
    new_count: Mapped[int] = mapped_column(default=0)
    duplicate_count: Mapped[int] = mapped_column(default=0)
    transfer_count: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    closing_balance_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """The statement's closing balance, when the file states one (for reconciliation)."""
    closing_date: Mapped[date | None] = mapped_column(default=None)
    currency: Mapped[str] = mapped_column(String(3))
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = created_column()
    committed_at: Mapped[datetime | None] = mapped_column(default=None)
    reverted_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ImportRow(Base):
    __tablename__ = "import_rows"
    __table_args__ = (
        Index("ix_import_rows_batch_line", "batch_id", "line"),
        Index("ix_import_rows_account_fingerprint", "account_id", "fingerprint"),
        Index("ix_import_rows_account_bank_id", "account_id", "bank_id"),
    )

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    household_id: Mapped[str] = mapped_column(String(32))
    """Copied from the batch (which the household owns) so lookups need no join."""
    account_id: Mapped[str] = mapped_column(String(32))
    line: Mapped[int]
    date: Mapped[date]
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    """Signed from the account's side, in minor units of `currency`."""
    currency: Mapped[str] = mapped_column(String(3))
    pending: Mapped[bool] = mapped_column(default=False)
    """The bank marked the row pending (not booked yet)."""
    raw_payee: Mapped[str] = mapped_column(String(200), default="")
    payee: Mapped[str] = mapped_column(String(200), default="")
    """The clean payee the row was (or would be) imported with."""
    memo: Mapped[str] = mapped_column(String(500), default="")
    bank_id: Mapped[str | None] = mapped_column(String(100), default=None)
    fingerprint: Mapped[int] = mapped_column(BigInteger)
    """Hash of date, amount, currency, payee and memo as the bank wrote them."""
    occurrence: Mapped[int] = mapped_column(default=0)
    """How many earlier rows of the same file share the fingerprint (twins: 0, 1)."""
    extra: Mapped[str | None] = mapped_column(Text, default=None)
    """JSON of what only some rows have (file category, transfer account, splits)."""
    outcome: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(300), default="")
    target_id: Mapped[str | None] = mapped_column(String(32), default=None)
    """The category or account the money went (or would go) to."""
    target_reason: Mapped[str] = mapped_column(String(300), default="")
    is_link: Mapped[bool] = mapped_column(default=False)
    """True while this row stands for `transaction_id` in the account: created by it,
    turned into a transfer by it, or matched to a manual entry. Dedupe counts links."""
    transaction_id: Mapped[str | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL"), default=None, index=True
    )


class ImportProfile(Base):
    """A CSV mapping saved for an account, or for every account at one bank."""

    __tablename__ = "import_profiles"
    __table_args__ = (Index("ix_import_profiles_household_account", "household_id", "account_id"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    account_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), default=None
    )
    institution: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(100))
    profile_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
