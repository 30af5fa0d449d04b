"""Errors of the ledger."""

from homeledger.kit.errors import Conflict, DomainError


class UnbalancedTransaction(DomainError):
    status_code = 422
    type = "unbalanced-transaction"
    title = "Transaction does not balance"


class StaleVersion(Conflict):
    type = "stale-version"
    title = "Changed by someone else"


class ReconciledPosting(Conflict):
    type = "reconciled-posting"
    title = "Reconciled postings cannot change"


class BatchFailed(DomainError):
    status_code = 422
    type = "batch-failed"
    title = "Batch refused; nothing was created"
