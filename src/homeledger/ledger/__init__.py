"""The double-entry ledger: transactions, postings, payees, tags, balances."""
