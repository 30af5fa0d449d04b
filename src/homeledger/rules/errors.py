"""Errors of rules and payee aliases."""

from homeledger.kit.errors import DomainError


class InvalidRule(DomainError):
    status_code = 422
    type = "invalid-rule"
    title = "The rule cannot work as written"
