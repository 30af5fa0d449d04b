"""The base for every API schema: strict about what bank files and clients send."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def _reject_nul(value: Any, path: str = "") -> None:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(f"{path or 'value'} contains a NUL byte")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_nul(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_nul(item, f"{path}[{index}]")


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_nul_bytes(cls, data: Any) -> Any:
        # PostgreSQL refuses NUL in text; real bank files contain them. Refuse at the edge.
        _reject_nul(data)
        return data


class ReadSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)
