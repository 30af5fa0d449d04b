"""JSON API: sign-up, sign-in, tokens, households, members and invitations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from homeledger.kit.tenancy import Role
from homeledger.users import service
from homeledger.users.schemas import (
    Confirmation,
    HouseholdCreate,
    HouseholdRead,
    HouseholdUpdate,
    InvitationAccept,
    InvitationCreate,
    InvitationCreated,
    InvitationRead,
    MemberRead,
    MemberUpdate,
    PersonalTokenCreate,
    PersonalTokenCreated,
    PersonalTokenRead,
    RefreshRequest,
    TokenPair,
    UserCreate,
    UserRead,
)
from homeledger.web.deps import CallerDep, CtxDep, SessionDep, SettingsDep

public = APIRouter(prefix="/api/v1/auth", tags=["auth"])
router = APIRouter(prefix="/api/v1", tags=["users"])


@public.post("/register", response_model=UserRead, status_code=201, summary="Create a user")
def register(data: UserCreate, session: SessionDep) -> UserRead:
    return UserRead.model_validate(service.register(session, data))


@public.post("/token", response_model=TokenPair, summary="Sign in (OAuth2 password form)")
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenPair:
    """Returns a short-lived access token (JWT) and a refresh token that works once."""
    user = service.authenticate(session, form.username, form.password)
    issued = service.issue_tokens(session, settings, user)
    return TokenPair(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.expires_in,
    )


@public.post("/refresh", response_model=TokenPair, summary="Trade a refresh token for new tokens")
def refresh(data: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    """Rotation: the presented token is spent; presenting it again revokes its family."""
    issued = service.rotate_refresh_token(session, settings, data.refresh_token)
    return TokenPair(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.expires_in,
    )


@public.post("/logout", status_code=204, summary="Sign out: revoke the refresh token")
def logout(data: RefreshRequest, session: SessionDep) -> Response:
    service.sign_out(session, data.refresh_token)
    return Response(status_code=204)


@router.get("/me", response_model=UserRead, tags=["users"], summary="The signed-in user")
def me(caller: CallerDep) -> UserRead:
    return UserRead.model_validate(caller.user)


@router.delete("/me", status_code=204, summary="Delete my account")
def delete_me(data: Confirmation, caller: CallerDep, session: SessionDep) -> Response:
    """Households only you own are deleted with you; `confirm` must equal your email."""
    service.delete_user(session, caller.user, data.confirm)
    return Response(status_code=204)


@router.get(
    "/me/tokens", response_model=list[PersonalTokenRead], summary="My personal access tokens"
)
def list_tokens(caller: CallerDep, session: SessionDep) -> list[PersonalTokenRead]:
    return [
        PersonalTokenRead.model_validate(t)
        for t in service.list_personal_tokens(session, caller.user)
    ]


@router.post(
    "/me/tokens",
    response_model=PersonalTokenCreated,
    status_code=201,
    summary="Create a personal access token",
)
def create_token(
    data: PersonalTokenCreate, caller: CallerDep, session: SessionDep
) -> PersonalTokenCreated:
    """Scopes: `read` (GET only) and `write`. The token is shown once."""
    row, secret = service.create_personal_token(session, caller.user, data)
    return PersonalTokenCreated(**PersonalTokenRead.model_validate(row).model_dump(), token=secret)


@router.delete("/me/tokens/{token_id}", status_code=204, summary="Revoke a personal access token")
def revoke_token(token_id: str, caller: CallerDep, session: SessionDep) -> Response:
    service.revoke_personal_token(session, caller.user, token_id)
    return Response(status_code=204)


@router.get("/households", response_model=list[HouseholdRead], summary="My households")
def list_households(caller: CallerDep, session: SessionDep) -> list[HouseholdRead]:
    return [
        HouseholdRead(**HouseholdRead.model_validate(h).model_dump(exclude={"role"}), role=role)
        for h, role in service.households_of(session, caller.user.id)
    ]


@router.post(
    "/households", response_model=HouseholdRead, status_code=201, summary="Create a household"
)
def create_household(
    data: HouseholdCreate, caller: CallerDep, session: SessionDep
) -> HouseholdRead:
    household = service.create_household(session, caller.user, data)
    return HouseholdRead(
        **HouseholdRead.model_validate(household).model_dump(exclude={"role"}), role=Role.OWNER
    )


@router.post("/invitations/accept", response_model=HouseholdRead, summary="Accept an invitation")
def accept_invitation(
    data: InvitationAccept, caller: CallerDep, session: SessionDep
) -> HouseholdRead:
    household = service.accept_invitation(session, caller.user, data.token)
    ctx = service.context_for(session, caller.user.id, household.id)
    return HouseholdRead(
        **HouseholdRead.model_validate(household).model_dump(exclude={"role"}), role=ctx.role
    )


household = APIRouter(prefix="/api/v1/households/{household_id}", tags=["households"])


@household.get("", response_model=HouseholdRead, summary="One household")
def get_household(ctx: CtxDep, session: SessionDep) -> HouseholdRead:
    h = service.get_household(session, ctx)
    return HouseholdRead(
        **HouseholdRead.model_validate(h).model_dump(exclude={"role"}), role=ctx.role
    )


@household.patch(
    "", response_model=HouseholdRead, summary="Rename or change the base currency (owners)"
)
def update_household(data: HouseholdUpdate, ctx: CtxDep, session: SessionDep) -> HouseholdRead:
    h = service.update_household(session, ctx, data)
    return HouseholdRead(
        **HouseholdRead.model_validate(h).model_dump(exclude={"role"}), role=ctx.role
    )


@household.delete("", status_code=204, summary="Delete the household and all its data (owners)")
def delete_household(data: Confirmation, ctx: CtxDep, session: SessionDep) -> Response:
    """`confirm` must equal the household's name."""
    service.delete_household(session, ctx, data.confirm)
    return Response(status_code=204)


@household.get("/members", response_model=list[MemberRead], summary="Members and their roles")
def list_members(ctx: CtxDep, session: SessionDep) -> list[MemberRead]:
    return [
        MemberRead(user_id=u.id, email=u.email, display_name=u.display_name, role=Role(m.role))
        for m, u in service.members(session, ctx)
    ]


@household.patch(
    "/members/{user_id}", response_model=MemberRead, summary="Change a member's role (owners)"
)
def change_role(user_id: str, data: MemberUpdate, ctx: CtxDep, session: SessionDep) -> MemberRead:
    membership = service.change_role(session, ctx, user_id, data.role)
    member = next(u for m, u in service.members(session, ctx) if m.id == membership.id)
    return MemberRead(
        user_id=member.id, email=member.email, display_name=member.display_name, role=data.role
    )


@household.delete("/members/{user_id}", status_code=204, summary="Remove a member, or leave")
def remove_member(user_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.remove_member(session, ctx, user_id)
    return Response(status_code=204)


@household.get(
    "/invitations", response_model=list[InvitationRead], summary="Open invitations (owners)"
)
def list_invitations(ctx: CtxDep, session: SessionDep) -> list[InvitationRead]:
    return [InvitationRead.model_validate(i) for i in service.invitations(session, ctx)]


@household.post(
    "/invitations",
    response_model=InvitationCreated,
    status_code=201,
    summary="Invite by email (owners)",
)
def invite(data: InvitationCreate, ctx: CtxDep, session: SessionDep) -> InvitationCreated:
    invitation, secret = service.invite(session, ctx, data)
    return InvitationCreated(**InvitationRead.model_validate(invitation).model_dump(), token=secret)


@household.delete(
    "/invitations/{invitation_id}", status_code=204, summary="Withdraw an invitation (owners)"
)
def revoke_invitation(invitation_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.revoke_invitation(session, ctx, invitation_id)
    return Response(status_code=204)
