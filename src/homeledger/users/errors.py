"""Errors of sign-in, membership and invitations."""

from homeledger.kit.errors import Conflict, DomainError, Unauthorized


class EmailTaken(Conflict):
    type = "email-taken"
    title = "Email already registered"


class BadCredentials(Unauthorized):
    type = "bad-credentials"
    title = "Wrong email or password"
    keeps_changes = True


class RefreshTokenReused(Unauthorized):
    type = "invalid-refresh-token"
    title = "Refresh token not valid"
    keeps_changes = True


class InvalidRefreshToken(Unauthorized):
    type = "invalid-refresh-token"
    title = "Refresh token not valid"


class LastOwner(Conflict):
    type = "last-owner"
    title = "A household needs an owner"


class InvitationInvalid(DomainError):
    status_code = 400
    type = "invitation-invalid"
    title = "Invitation not valid"


class ConfirmationMismatch(DomainError):
    status_code = 422
    type = "confirmation-mismatch"
    title = "Confirmation does not match"
