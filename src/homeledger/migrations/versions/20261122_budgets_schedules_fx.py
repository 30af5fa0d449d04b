"""budgets, schedules and bills, user-entered exchange rates, a covering index for reports

Revision ID: b5d7f3e1a924
Revises: 7d2e4f6a8b10
Create Date: 2026-11-22 03:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import homeledger.db.base

revision: str = "b5d7f3e1a924"
down_revision: str | None = "7d2e4f6a8b10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fx_rates",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("rate", sa.Numeric(precision=24, scale=12), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("created_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_fx_rates_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rates")),
        sa.UniqueConstraint(
            "household_id", "base", "quote", "as_of", name=op.f("uq_fx_rates_household_id")
        ),
    )
    op.create_table(
        "schedules",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("rule", sa.String(length=500), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("count", sa.BigInteger(), nullable=True),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("payee", sa.String(length=200), nullable=False),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("tags", sa.String(length=500), nullable=False),
        sa.Column("is_bill", sa.Boolean(), nullable=False),
        sa.Column("bill_min_minor", sa.BigInteger(), nullable=True),
        sa.Column("bill_max_minor", sa.BigInteger(), nullable=True),
        sa.Column("bill_days_before", sa.BigInteger(), nullable=False),
        sa.Column("bill_days_after", sa.BigInteger(), nullable=False),
        sa.Column("done_through", sa.Date(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_schedules_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
    )
    op.create_index(op.f("ix_schedules_household_id"), "schedules", ["household_id"], unique=False)

    op.create_table(
        "budgets",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("period_kind", sa.String(length=20), nullable=False),
        sa.Column("period_day", sa.BigInteger(), nullable=True),
        sa.Column("period_second_day", sa.BigInteger(), nullable=True),
        sa.Column("period_anchor", sa.Date(), nullable=True),
        sa.Column("period_weeks", sa.BigInteger(), nullable=True),
        sa.Column("weekend_shift", sa.String(length=20), nullable=False),
        sa.Column("spending_account_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_budgets_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["spending_account_id"],
            ["accounts.id"],
            name=op.f("fk_budgets_spending_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budgets")),
        sa.UniqueConstraint("household_id", "name", name=op.f("uq_budgets_household_id")),
    )
    op.create_table(
        "schedule_postings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("schedule_id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("memo", sa.String(length=500), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_schedule_postings_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_schedule_postings_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_schedule_postings_schedule_id_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_postings")),
    )
    op.create_index(
        op.f("ix_schedule_postings_account_id"), "schedule_postings", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_schedule_postings_schedule_id"), "schedule_postings", ["schedule_id"], unique=False
    )

    op.create_table(
        "budget_assignments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.Column("budget_id", sa.String(length=32), nullable=False),
        sa.Column("category_id", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name=op.f("fk_budget_assignments_budget_id_budgets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["accounts.id"],
            name=op.f("fk_budget_assignments_category_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_budget_assignments_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_assignments")),
        sa.UniqueConstraint(
            "budget_id", "category_id", "period_start", name=op.f("uq_budget_assignments_budget_id")
        ),
    )
    op.create_index(
        op.f("ix_budget_assignments_category_id"),
        "budget_assignments",
        ["category_id"],
        unique=False,
    )

    op.create_table(
        "budget_categories",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.Column("budget_id", sa.String(length=32), nullable=False),
        sa.Column("category_id", sa.String(length=32), nullable=False),
        sa.Column("rollover", sa.String(length=10), nullable=False),
        sa.Column("template_kind", sa.String(length=20), nullable=True),
        sa.Column("template_basis", sa.String(length=10), nullable=True),
        sa.Column("template_periods", sa.BigInteger(), nullable=True),
        sa.Column("template_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("template_target_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name=op.f("fk_budget_categories_budget_id_budgets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["accounts.id"],
            name=op.f("fk_budget_categories_category_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_budget_categories_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_categories")),
        sa.UniqueConstraint(
            "budget_id", "category_id", name=op.f("uq_budget_categories_budget_id")
        ),
    )
    op.create_index(
        op.f("ix_budget_categories_category_id"), "budget_categories", ["category_id"], unique=False
    )

    op.create_table(
        "budget_moves",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.Column("budget_id", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("source_category_id", sa.String(length=32), nullable=False),
        sa.Column("target_category_id", sa.String(length=32), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["budgets.id"],
            name=op.f("fk_budget_moves_budget_id_budgets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_budget_moves_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_budget_moves_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_category_id"],
            ["accounts.id"],
            name=op.f("fk_budget_moves_source_category_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_category_id"],
            ["accounts.id"],
            name=op.f("fk_budget_moves_target_category_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_moves")),
    )
    op.create_index(op.f("ix_budget_moves_budget_id"), "budget_moves", ["budget_id"], unique=False)
    op.create_index(
        op.f("ix_budget_moves_source_category_id"),
        "budget_moves",
        ["source_category_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_budget_moves_target_category_id"),
        "budget_moves",
        ["target_category_id"],
        unique=False,
    )

    op.create_table(
        "schedule_occurrences",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("household_id", sa.String(length=32), nullable=False),
        sa.Column("schedule_id", sa.String(length=32), nullable=False),
        sa.Column("occurs_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("transaction_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", homeledger.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_schedule_occurrences_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_schedule_occurrences_schedule_id_schedules"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_schedule_occurrences_transaction_id_transactions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_occurrences")),
        sa.UniqueConstraint(
            "schedule_id", "occurs_on", name=op.f("uq_schedule_occurrences_schedule_id")
        ),
    )
    op.create_index(
        op.f("ix_schedule_occurrences_household_id"),
        "schedule_occurrences",
        ["household_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_schedule_occurrences_transaction_id"),
        "schedule_occurrences",
        ["transaction_id"],
        unique=False,
    )
    # Index-only reads of the day totals for reports (see homeledger.reports.models).
    op.create_index(
        "ix_account_day_totals_covering",
        "account_day_totals",
        ["account_id", "currency", "date", "household_id", "amount_minor"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_account_day_totals_covering", table_name="account_day_totals")
    for index, table in (
        ("ix_schedule_occurrences_transaction_id", "schedule_occurrences"),
        ("ix_schedule_occurrences_household_id", "schedule_occurrences"),
        ("ix_budget_moves_target_category_id", "budget_moves"),
        ("ix_budget_moves_source_category_id", "budget_moves"),
        ("ix_budget_moves_budget_id", "budget_moves"),
        ("ix_budget_categories_category_id", "budget_categories"),
        ("ix_budget_assignments_category_id", "budget_assignments"),
        ("ix_schedule_postings_schedule_id", "schedule_postings"),
        ("ix_schedule_postings_account_id", "schedule_postings"),
        ("ix_schedules_household_id", "schedules"),
    ):
        op.drop_index(op.f(index), table_name=table)
    for table in (
        "schedule_occurrences",
        "budget_moves",
        "budget_categories",
        "budget_assignments",
        "schedule_postings",
        "budgets",
        "schedules",
        "fx_rates",
    ):
        op.drop_table(table)
