"""Reports over the ledger: spending and income by category, income vs expense,
cash flow, net worth, budget vs actual, payees, tags, year over year; as JSON, CSV
and PDF, in the household's base currency (`homeledger.reports.service`)."""
