"""Dependencies of the HTML pages: the signed-in viewer, the current household's Ctx,
the submitted form. Pages are signed-in by default; a public page simply does not ask
for a Viewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.datastructures import FormData

from homeledger.kit.errors import NotFound
from homeledger.kit.tenancy import Ctx, Role
from homeledger.users import service as users
from homeledger.users.models import Household, User
from homeledger.web import sessions
from homeledger.web.deps import SessionDep
from homeledger.web.models import WebSession


class SignInRequired(Exception):
    """No live web session: the page answers with a redirect to the sign-in form."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class HouseholdRequired(Exception):
    """Signed in but in no household yet: the page sends the user to create one."""


@dataclass
class Viewer:
    user: User
    row: WebSession
    sid: str


@dataclass
class Page:
    viewer: Viewer
    ctx: Ctx
    household: Household
    households: list[tuple[Household, Role]]

    @property
    def can_edit(self) -> bool:
        return self.ctx.role.rank >= Role.EDITOR.rank

    @property
    def is_owner(self) -> bool:
        return self.ctx.role is Role.OWNER

    @property
    def locale(self) -> str:
        return self.household.locale

    @property
    def currency(self) -> str:
        return self.household.base_currency


def _here(request: Request) -> str:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return target


def get_viewer(request: Request, session: SessionDep) -> Viewer:
    sid: str = getattr(request.state, "web_sid", "")
    row = sessions.lookup(session, sid)
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or not user.is_active:
        if request.method != "GET":
            raise SignInRequired("/")
        raise SignInRequired(_here(request))
    request.state.user_id = user.id
    return Viewer(user, row, sid)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def get_page(viewer: ViewerDep, session: SessionDep) -> Page:
    households = users.households_of(session, viewer.user.id)
    if not households:
        raise HouseholdRequired
    wanted = viewer.row.current_household_id
    chosen = next((h for h, _ in households if h.id == wanted), households[0][0])
    if chosen.id != wanted:
        sessions.switch_household(viewer.row, chosen.id)
    try:
        ctx = users.context_for(session, viewer.user.id, chosen.id)
    except NotFound:  # left the household between the two reads
        raise HouseholdRequired from None
    return Page(viewer, ctx, chosen, households)


PageDep = Annotated[Page, Depends(get_page)]


async def get_form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(get_form)]


def sign_in_url(next_url: str) -> str:
    return "/signin?next=" + quote(next_url, safe="/")
