"""web sessions

Revision ID: 5b7c1e9d2a40
Revises: efecc2048ac0
Create Date: 2026-11-22 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import homeledger.db.base

revision: str = "5b7c1e9d2a40"
down_revision: str | None = "efecc2048ac0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("current_household_id", sa.String(length=32), nullable=True),
        sa.Column("flash", sa.Text(), nullable=False),
        sa.Column("created_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["current_household_id"],
            ["households.id"],
            name=op.f("fk_web_sessions_current_household_id_households"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_web_sessions_token_digest")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_user_id"))
    op.drop_table("web_sessions")
