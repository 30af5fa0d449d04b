"""planning: saved scenarios and cached simulation runs

Revision ID: c7e3a1f9d201
Revises: b5d7f3e1a924
Create Date: 2026-11-22 08:00:00.000000
"""

from collections.abc import Sequence

revision: str = "c7e3a1f9d201"
down_revision: str | None = "b5d7f3e1a924"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
