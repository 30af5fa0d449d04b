"""goals: savings goals

Revision ID: d8f4b2a0e312
Revises: c7e3a1f9d201
Create Date: 2026-11-22 08:00:00.000000
"""

from collections.abc import Sequence

revision: str = "d8f4b2a0e312"
down_revision: str | None = "c7e3a1f9d201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
