"""The base for every API schema: strict about what bank files and clients send."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul_bytes(cls, value: Any) -> Any:
        # PostgreSQL refuses NUL in text; real bank files contain them. Refuse at the edge,
        # per field, so the error names the field. Nested schemas check their own fields.
        if _has_nul(value):
            raise ValueError("contains a NUL byte")
        return value


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)
