"""insights: categoriser model store and dismissed insights

Revision ID: 7d2e4f6a8b10
Revises: c4e2a9b1d7f3
Create Date: 2026-11-22 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import homeledger.db.base

revision: str = "7d2e4f6a8b10"
down_revision: str | None = "c4e2a9b1d7f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "categoriser_models",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.Column("model", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("feature_version", sa.String(length=60), nullable=False),
        sa.Column("training_size", sa.BigInteger(), nullable=False),
        sa.Column("category_count", sa.BigInteger(), nullable=False),
        sa.Column("holdout_size", sa.BigInteger(), nullable=False),
        sa.Column("holdout_correct", sa.BigInteger(), nullable=False),
        sa.Column("trained_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corrections_since", sa.BigInteger(), nullable=False),
        sa.Column("checked_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_categoriser_models_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categoriser_models")),
        sa.UniqueConstraint("household_id", name=op.f("uq_categoriser_models_household_id")),
    )
    op.create_table(
        "insight_dismissals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.Column("insight_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_insight_dismissals_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_insight_dismissals_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_dismissals")),
        sa.UniqueConstraint(
            "household_id", "insight_key", name=op.f("uq_insight_dismissals_household_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("insight_dismissals")
    op.drop_table("categoriser_models")
