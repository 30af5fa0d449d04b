"""Accounts of every kind: asset and liability accounts, income and expense categories,
and the equity accounts the ledger needs (opening balances, currency exchange)."""
