"""Reports own no table; they read the ledger's day totals. This index makes those
reads index-only: a report over ten years of a busy household reads ~140,000 day
totals, and without it SQLite fetches each table row for its amount (5x slower,
measured in bench/reports). It lives here because reports are its reason; the ledger
could adopt it in its own models without a migration change."""

from __future__ import annotations

from sqlalchemy import Index

from homeledger.ledger.models import AccountDayTotal

DAY_TOTALS_COVERING = Index(
    "ix_account_day_totals_covering",
    AccountDayTotal.account_id,
    AccountDayTotal.currency,
    AccountDayTotal.date,
    AccountDayTotal.household_id,
    AccountDayTotal.amount_minor,
)
