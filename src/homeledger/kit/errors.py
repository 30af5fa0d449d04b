"""Domain errors. Each carries its HTTP status and a stable problem type; one handler
renders them as problem+json (API) or inline messages (web). A 500 means a bug."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status_code: ClassVar[int] = 400
    type: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"
    keeps_changes: ClassVar[bool] = False
    """True when what was written before the error must stay (the audit of a failed
    sign-in, the revocation of a stolen token family); everything else rolls back."""

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra

    def problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://homeledger.dev/problems/{self.type}",
            "title": self.title,
            "status": self.status_code,
            "detail": self.detail,
        }
        if self.field:
            body["errors"] = [{"field": self.field, "message": self.detail}]
        body.update(self.extra)
        return body


class InvalidInput(DomainError):
    status_code = 422
    type = "invalid-input"
    title = "Invalid input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)


class NotFound(DomainError):
    status_code = 404
    type = "not-found"
    title = "Not found"


class Forbidden(DomainError):
    status_code = 403
    type = "forbidden"
    title = "Forbidden"


class Unauthorized(DomainError):
    status_code = 401
    type = "unauthorized"
    title = "Unauthorized"


class Conflict(DomainError):
    status_code = 409
    type = "conflict"
    title = "Conflict"


class RateLimited(DomainError):
    status_code = 429
    type = "rate-limited"
    title = "Too many requests"
