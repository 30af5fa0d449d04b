"""API shapes for users, households, members, invitations and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import EmailStr, Field

from homeledger.kit.schemas import ReadSchema, Schema
from homeledger.kit.tenancy import Role

Password = Field(min_length=10, max_length=256, description="At least 10 characters.")


class UserCreate(Schema):
    email: EmailStr
    password: str = Password
    display_name: str = Field(default="", max_length=100)


class UserRead(ReadSchema):
    id: str
    email: str
    display_name: str
    created_at: datetime


class TokenPair(ReadSchema):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type name
    expires_in: int = Field(description="Seconds until the access token expires.")


class RefreshRequest(Schema):
    refresh_token: str = Field(max_length=200)


class PersonalTokenCreate(Schema):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Literal["read", "write"]] = Field(default=["read"], min_length=1)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class PersonalTokenRead(ReadSchema):
    id: str
    name: str
    scopes: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class PersonalTokenCreated(PersonalTokenRead):
    token: str = Field(description="Shown once; only its digest is stored.")


class HouseholdCreate(Schema):
    name: str = Field(min_length=1, max_length=100)
    base_currency: str = Field(default="EUR", min_length=3, max_length=3)
    locale: str = Field(default="en_US", max_length=20)


class HouseholdUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    base_currency: str | None = Field(default=None, min_length=3, max_length=3)
    locale: str | None = Field(default=None, max_length=20)


class HouseholdRead(ReadSchema):
    id: str
    name: str
    base_currency: str
    locale: str
    created_at: datetime
    role: Role | None = None


class MemberRead(ReadSchema):
    user_id: str
    email: str
    display_name: str
    role: Role


class MemberUpdate(Schema):
    role: Role


class InvitationCreate(Schema):
    email: EmailStr
    role: Role = Role.VIEWER


class InvitationRead(ReadSchema):
    id: str
    email: str
    role: Role
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None


class InvitationCreated(InvitationRead):
    token: str = Field(description="Give it to the invitee; shown once.")


class InvitationAccept(Schema):
    token: str = Field(max_length=200)


class Confirmation(Schema):
    confirm: str = Field(
        max_length=200,
        description="Must equal the household's name (or, for a user, the email).",
    )
