"""Typed FastAPI dependencies: settings, the request's session, the caller, the Ctx."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from homeledger.config import Settings
from homeledger.db.session import session_scope
from homeledger.kit.errors import Unauthorized
from homeledger.kit.security import read_access_token
from homeledger.kit.tenancy import Ctx
from homeledger.users import service as users
from homeledger.users.models import User

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed when the handler returns, rolled back when
    it raises, so a failed request changes nothing."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with session_scope(factory) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
# scope="function": commit before the response is sent, so a client that acts on a 201
# at once finds the row, and a commit that fails is a 500, never a success.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@dataclass(frozen=True)
class Caller:
    user: User
    scopes: frozenset[str]

    @property
    def read_only(self) -> bool:
        return "write" not in self.scopes


ALL_SCOPES = frozenset({"read", "write"})


def authenticate(session: Session, settings: Settings, token: str | None) -> Caller:
    """A JWT access token or a personal access token (prefix hlp_)."""
    if not token:
        raise Unauthorized("sign in: send 'Authorization: Bearer <token>'")
    if token.startswith("hlp_"):
        user, scopes = users.user_for_personal_token(session, token)
        return Caller(user, scopes)
    user_id = read_access_token(token, settings.secret_key)
    account = session.get(User, user_id)
    if account is None or not account.is_active:
        raise Unauthorized("the account no longer exists")
    return Caller(account, ALL_SCOPES)


def get_caller(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2)],
) -> Caller:
    caller = authenticate(session, settings, token)
    request.state.user_id = caller.user.id
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def get_ctx(
    caller: CallerDep,
    session: SessionDep,
    household_id: Annotated[str, Path(max_length=32, description="The household's id.")],
) -> Ctx:
    return users.context_for(session, caller.user.id, household_id, read_only=caller.read_only)


CtxDep = Annotated[Ctx, Depends(get_ctx)]
