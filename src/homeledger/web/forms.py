"""Forms: validate submitted values with the API's own schemas and say what is wrong in
plain words, beside the field. Values are handed back as typed, so nothing is lost."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from homeledger.kit.errors import DomainError

T = TypeVar("T", bound=BaseModel)
Errors = dict[str, str]
GENERAL = "__all__"
"""The key of an error that belongs to the whole form."""


def values(form: FormData, *names: str) -> dict[str, str]:
    """The submitted text fields (all of them, or the named ones), trimmed of nothing."""
    keys = names or tuple(k for k in form if k != "csrf_token")
    out: dict[str, str] = {}
    for key in keys:
        value = form.get(key)
        out[key] = value if isinstance(value, str) else ""
    return out


def friendly(error: ErrorDetails) -> str:
    """A pydantic error in words a person understands."""
    kind = error.get("type", "")
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "Fill this in."
    if kind == "string_too_short":
        return f"Use at least {ctx.get('min_length')} characters."
    if kind == "string_too_long":
        return f"Use at most {ctx.get('max_length')} characters."
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if r"\d" in pattern and "." in pattern:
            return "Enter an amount such as 12.50 (digits, one point, up to 4 decimals)."
        if "[A-Z]{3}" in pattern:
            return "Use a three-letter currency code such as EUR."
        return "This is not in the expected form."
    if kind.startswith("date") or kind.startswith("datetime"):
        return "Enter a date such as 2025-03-01."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Enter a whole number."
    if kind in ("greater_than_equal", "greater_than"):
        return f"Use a number of at least {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"Use a number of at most {ctx.get('le', ctx.get('lt'))}."
    if kind in ("literal_error", "enum"):
        return "Pick one of the choices."
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        return "Enter an email address such as name@example.com."
    message = str(error.get("msg", "This is not valid."))
    return message.removeprefix("Value error, ").rstrip(".") + "."


def _field_name(loc: tuple[Any, ...], rename: Mapping[str, str]) -> str:
    parts = [str(p) for p in loc]
    dotted = ".".join(parts)
    for key in (dotted, parts[0] if parts else ""):
        if key in rename:
            return rename[key]
    return parts[0] if parts else GENERAL


def validate(
    schema: type[T], data: Mapping[str, Any], rename: Mapping[str, str] | None = None
) -> tuple[T | None, Errors]:
    """The schema instance, or the errors keyed by form field (first error per field)."""
    try:
        return schema.model_validate(dict(data)), {}
    except ValidationError as error:
        errors: Errors = {}
        for item in error.errors():
            name = _field_name(tuple(item.get("loc", ())), rename or {})
            errors.setdefault(name, friendly(item))
        return None, errors


def domain_errors(error: DomainError, rename: Mapping[str, str] | None = None) -> Errors:
    """A service's refusal, beside the field it names when the form has that field."""
    rename = rename or {}
    field = error.field or ""
    message = error.detail
    if field and message.startswith(field + ": "):
        message = message[len(field) + 2 :]
    message = message[:1].upper() + message[1:]
    if not message.endswith("."):
        message += "."
    for key, target in rename.items():
        if field == key or (key.endswith("*") and field.startswith(key[:-1])):
            return {target: message}
    return {field if field in rename.values() else GENERAL: message}


def failed(session: Session, error: DomainError | None = None) -> None:
    """Undo the request's writes before showing the form again (the edge commits on a
    normal return). Errors that must keep their record (a failed sign-in's audit) stay."""
    if error is None or not error.keeps_changes:
        session.rollback()
