"""Errors of accounts and categories."""

from homeledger.kit.errors import Conflict, DomainError


class DuplicateName(Conflict):
    type = "duplicate-name"
    title = "Name already used"


class InvalidTree(DomainError):
    status_code = 422
    type = "invalid-category-tree"
    title = "Invalid category tree"


class AccountInUse(Conflict):
    type = "account-in-use"
    title = "Account in use"
