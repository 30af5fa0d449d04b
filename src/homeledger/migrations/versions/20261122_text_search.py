"""text search over payee and memo

Revision ID: e9a5c3b1f423
Revises: d8f4b2a0e312
Create Date: 2026-11-22 08:00:00.000000
"""

from collections.abc import Sequence

revision: str = "e9a5c3b1f423"
down_revision: str | None = "d8f4b2a0e312"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
