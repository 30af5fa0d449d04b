"""account day totals: materialised per-account daily sums for fast balances

Revision ID: 86228ec1d9ab
Revises: 5b7c1e9d2a40
Create Date: 2026-11-22 01:37:00.185737
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "86228ec1d9ab"
down_revision: str | None = "5b7c1e9d2a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_day_totals",
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_day_totals_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_account_day_totals_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "currency", "date", name=op.f("pk_account_day_totals")
        ),
    )
    with op.batch_alter_table("account_day_totals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_day_totals_household_id"), ["household_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("account_day_totals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_day_totals_household_id"))

    op.drop_table("account_day_totals")
