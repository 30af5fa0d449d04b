"""API shapes for exchange rates and conversions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from homeledger.accounts.schemas import CurrencyCode
from homeledger.kit.schemas import ReadSchema, Schema

RateStr = Annotated[
    str,
    Field(
        pattern=r"^\d{1,12}(\.\d{1,12})?$",
        max_length=25,
        description="Units of `quote` one unit of `base` buys, e.g. '1.0956'.",
        examples=["1.0956"],
    ),
]


class RateCreate(Schema):
    base: CurrencyCode
    quote: CurrencyCode
    as_of: dt.date = Field(description="The day the rate applies from.")
    rate: RateStr
    note: str = Field(default="", max_length=200)


class RateRead(ReadSchema):
    id: str
    base: str
    quote: str
    as_of: dt.date
    rate: str
    note: str
    created_at: dt.datetime


class RateUsed(ReadSchema):
    """A rate a figure was converted with, and where it came from."""

    base: str
    quote: str
    rate: str
    as_of: dt.date = Field(description="The day the rate was published or entered for.")
    source: str = Field(description="'user', 'ECB', or both joined by '+' for a cross rate.")


class ConversionRead(ReadSchema):
    source_amount: str
    source_currency: str
    amount: str
    currency: str
    on: dt.date
    rate: RateUsed
