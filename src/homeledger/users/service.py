"""Sign-up, sign-in, token rotation, households, members and invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from homeledger.config import Settings
from homeledger.db.base import new_id, utcnow
from homeledger.kit import audit, metrics
from homeledger.kit.errors import Forbidden, NotFound, Unauthorized
from homeledger.kit.money import check_currency
from homeledger.kit.security import (
    hash_password,
    issue_access_token,
    needs_rehash,
    new_token,
    token_digest,
    verify_password,
)
from homeledger.kit.tenancy import Ctx, Role
from homeledger.users.errors import (
    BadCredentials,
    ConfirmationMismatch,
    EmailTaken,
    InvalidRefreshToken,
    InvitationInvalid,
    LastOwner,
    RefreshTokenReused,
)
from homeledger.users.models import (
    Household,
    Invitation,
    Membership,
    PersonalAccessToken,
    RefreshToken,
    User,
)
from homeledger.users.repository import HouseholdRepository, UserRepository
from homeledger.users.schemas import (
    HouseholdCreate,
    HouseholdUpdate,
    InvitationCreate,
    PersonalTokenCreate,
    UserCreate,
)

INVITATION_DAYS = 14
# A fixed hash to verify against when the email is unknown, so response time does not
# reveal which emails are registered.
_DUMMY_HASH = hash_password("homeledger-timing-equaliser")


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


# Users and sign-in


def register(session: Session, data: UserCreate) -> User:
    repo = UserRepository(session)
    email = str(data.email).lower()
    if repo.by_email(email) is not None:
        raise EmailTaken(f"{email} is already registered", field="email")
    user = repo.add(
        User(
            email=email, password_hash=hash_password(data.password), display_name=data.display_name
        )
    )
    audit.record(session, "user.registered", user_id=user.id, target=user.id)
    metrics.SIGNUPS.inc()
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    repo = UserRepository(session)
    user = repo.by_email(email.strip())
    if user is None or not user.is_active:
        verify_password(_DUMMY_HASH, password)
        raise BadCredentials("wrong email or password")
    if not verify_password(user.password_hash, password):
        audit.record(session, "user.sign_in_failed", user_id=user.id, target=user.id)
        raise BadCredentials("wrong email or password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, "user.signed_in", user_id=user.id, target=user.id)
    return user


def issue_tokens(
    session: Session, settings: Settings, user: User, family_id: str | None = None
) -> IssuedTokens:
    refresh = new_token("hlr")
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id or new_id(),
            token_digest=token_digest(refresh),
            expires_at=utcnow() + timedelta(days=settings.refresh_token_days),
        )
    )
    session.flush()
    access = issue_access_token(user.id, settings.secret_key, settings.access_token_minutes)
    return IssuedTokens(access, refresh, settings.access_token_minutes * 60)


def rotate_refresh_token(session: Session, settings: Settings, token: str) -> IssuedTokens:
    """A refresh token works once. Reuse of a spent one means it was stolen: the whole
    family is revoked, which signs the thief and the user out."""
    repo = UserRepository(session)
    row = repo.refresh_by_digest(token_digest(token))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        raise InvalidRefreshToken("the refresh token is not valid; sign in again")
    if row.replaced_at is not None:
        repo.revoke_family(row.family_id, now)
        audit.record(session, "user.refresh_reuse_detected", user_id=row.user_id)
        raise RefreshTokenReused("the refresh token was already used; sign in again")
    user = repo.get(row.user_id)
    if user is None or not user.is_active:
        raise InvalidRefreshToken("the refresh token is not valid; sign in again")
    row.replaced_at = now
    return issue_tokens(session, settings, user, family_id=row.family_id)


def sign_out(session: Session, token: str) -> None:
    repo = UserRepository(session)
    row = repo.refresh_by_digest(token_digest(token))
    if row is not None:
        repo.revoke_family(row.family_id, utcnow())
        audit.record(session, "user.signed_out", user_id=row.user_id)


def create_personal_token(
    session: Session, user: User, data: PersonalTokenCreate
) -> tuple[PersonalAccessToken, str]:
    token = new_token("hlp")
    expires = utcnow() + timedelta(days=data.expires_in_days) if data.expires_in_days else None
    row = PersonalAccessToken(
        user_id=user.id,
        name=data.name,
        token_digest=token_digest(token),
        scopes=" ".join(sorted(set(data.scopes))),
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    audit.record(session, "token.created", user_id=user.id, target=row.id, scopes=row.scopes)
    return row, token


def list_personal_tokens(session: Session, user: User) -> list[PersonalAccessToken]:
    return UserRepository(session).pats(user.id)


def revoke_personal_token(session: Session, user: User, token_id: str) -> None:
    row = session.get(PersonalAccessToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("no such token")
    row.revoked_at = utcnow()
    audit.record(session, "token.revoked", user_id=user.id, target=row.id)


def user_for_personal_token(session: Session, token: str) -> tuple[User, frozenset[str]]:
    row = UserRepository(session).pat_by_digest(token_digest(token))
    now = utcnow()
    if row is None or row.revoked_at is not None or (row.expires_at and row.expires_at <= now):
        raise Unauthorized("the access token is not valid")
    user = UserRepository(session).get(row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("the access token is not valid")
    # Writing last use on every request would turn each read into a write; once a minute.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
    return user, frozenset(row.scopes.split())


def delete_user(session: Session, user: User, confirm: str) -> None:
    if confirm.strip().lower() != user.email:
        raise ConfirmationMismatch("type your email to confirm", field="confirm")
    households = HouseholdRepository(session)
    sole = households.sole_owned_households(user.id)
    for household in sole:
        # A household only this user owns goes with them; others keep it.
        audit.record(session, "household.deleted", user_id=user.id, household_id=household.id)
        households.delete_household(household.id)
    audit.record(session, "user.deleted", user_id=user.id, target=user.id)
    UserRepository(session).delete(user)


# Households


def create_household(session: Session, user: User, data: HouseholdCreate) -> Household:
    from homeledger.accounts.service import create_system_accounts  # accounts build on users

    check_currency(data.base_currency, "base_currency")
    repo = HouseholdRepository(session)
    household = repo.add(
        Household(name=data.name, base_currency=data.base_currency, locale=data.locale)
    )
    repo.add_membership(Membership(household_id=household.id, user_id=user.id, role=Role.OWNER))
    create_system_accounts(session, household.id)
    audit.record(session, "household.created", user_id=user.id, household_id=household.id)
    return household


def households_of(session: Session, user_id: str) -> list[tuple[Household, Role]]:
    return [(h, Role(role)) for h, role in HouseholdRepository(session).for_user(user_id)]


def context_for(session: Session, user_id: str, household_id: str, read_only: bool = False) -> Ctx:
    """The Ctx of a member; a non-member learns nothing, not even that it exists."""
    membership = HouseholdRepository(session).membership(household_id, user_id)
    if membership is None:
        raise NotFound("no such household")
    return Ctx(user_id, household_id, Role(membership.role), read_only=read_only)


def get_household(session: Session, ctx: Ctx) -> Household:
    household = HouseholdRepository(session).get(ctx.household_id)
    if household is None:
        raise NotFound("no such household")
    return household


def update_household(session: Session, ctx: Ctx, data: HouseholdUpdate) -> Household:
    ctx.require(Role.OWNER)
    household = get_household(session, ctx)
    if data.base_currency is not None:
        household.base_currency = check_currency(data.base_currency, "base_currency")
    if data.name is not None:
        household.name = data.name
    if data.locale is not None:
        household.locale = data.locale
    session.flush()
    return household


def delete_household(session: Session, ctx: Ctx, confirm: str) -> None:
    ctx.require(Role.OWNER)
    household = get_household(session, ctx)
    if confirm.strip() != household.name:
        raise ConfirmationMismatch("type the household's name to confirm", field="confirm")
    HouseholdRepository(session).delete_household(household.id)
    audit.record(session, "household.deleted", user_id=ctx.user_id, household_id=household.id)


# Members and invitations


def members(session: Session, ctx: Ctx) -> list[tuple[Membership, User]]:
    return HouseholdRepository(session).members(ctx.household_id)


def _membership(session: Session, ctx: Ctx, user_id: str) -> Membership:
    membership = HouseholdRepository(session).membership(ctx.household_id, user_id)
    if membership is None:
        raise NotFound("no such member")
    return membership


def change_role(session: Session, ctx: Ctx, user_id: str, role: Role) -> Membership:
    ctx.require(Role.OWNER)
    membership = _membership(session, ctx, user_id)
    repo = HouseholdRepository(session)
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and repo.owner_count(ctx.household_id) == 1
    ):
        raise LastOwner("the household's only owner cannot step down; make another owner first")
    before = membership.role
    membership.role = role.value
    session.flush()
    audit.record(
        session,
        "member.role_changed",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=user_id,
        before=before,
        after=role.value,
    )
    return membership


def remove_member(session: Session, ctx: Ctx, user_id: str) -> None:
    if user_id != ctx.user_id:  # anyone may leave; only owners remove others
        ctx.require(Role.OWNER)
    membership = _membership(session, ctx, user_id)
    repo = HouseholdRepository(session)
    if membership.role == Role.OWNER and repo.owner_count(ctx.household_id) == 1:
        raise LastOwner("the household's only owner cannot leave; delete the household instead")
    repo.remove_membership(membership)
    audit.record(
        session,
        "member.removed",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=user_id,
    )


def invite(session: Session, ctx: Ctx, data: InvitationCreate) -> tuple[Invitation, str]:
    ctx.require(Role.OWNER)
    token = new_token("hli")
    invitation = Invitation(
        household_id=ctx.household_id,
        email=str(data.email).lower(),
        role=data.role.value,
        token_digest=token_digest(token),
        invited_by=ctx.user_id,
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    session.add(invitation)
    session.flush()
    audit.record(
        session,
        "member.invited",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=invitation.email,
        role=invitation.role,
    )
    return invitation, token


def invitations(session: Session, ctx: Ctx) -> list[Invitation]:
    ctx.require(Role.OWNER)
    return HouseholdRepository(session).invitations(ctx.household_id)


def revoke_invitation(session: Session, ctx: Ctx, invitation_id: str) -> None:
    ctx.require(Role.OWNER)
    invitation = HouseholdRepository(session).invitation(ctx.household_id, invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        raise NotFound("no such invitation")
    session.delete(invitation)
    session.flush()


def accept_invitation(session: Session, user: User, token: str) -> Household:
    repo = HouseholdRepository(session)
    invitation = repo.invitation_by_digest(token_digest(token))
    now: datetime = utcnow()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= now:
        raise InvitationInvalid("the invitation is not valid or has expired")
    if invitation.email != user.email:
        raise Forbidden("this invitation was sent to another email address")
    household = repo.get(invitation.household_id)
    if household is None:
        raise InvitationInvalid("the household no longer exists")
    existing = repo.membership(household.id, user.id)
    if existing is None:
        repo.add_membership(
            Membership(household_id=household.id, user_id=user.id, role=invitation.role)
        )
    invitation.accepted_at = now
    audit.record(
        session, "member.joined", user_id=user.id, household_id=household.id, role=invitation.role
    )
    return household
