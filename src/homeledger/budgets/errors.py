"""Errors of budgets."""

from homeledger.kit.errors import Conflict, DomainError


class DuplicateBudget(Conflict):
    type = "duplicate-budget"
    title = "Budget name already used"


class NotInThisMode(DomainError):
    status_code = 422
    type = "budget-mode"
    title = "Not available in this budget's mode"
