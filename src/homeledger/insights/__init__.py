"""Insights on the household's own ledger: learned categorisation, subscriptions and
recurring charges, unusual transactions and months; every insight explained and
dismissable."""
