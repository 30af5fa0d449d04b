"""Every SQL statement about users, households, memberships and tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from homeledger.users.models import (
    Household,
    Invitation,
    Membership,
    PersonalAccessToken,
    RefreshToken,
    User,
)


class UserRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_email(self, email: str) -> User | None:
        return self.session.scalars(select(User).where(User.email == email.lower())).one_or_none()

    def get(self, user_id: str) -> User | None:
        return self.session.get(User, user_id)

    def add(self, user: User) -> User:
        self.session.add(user)
        self.session.flush()
        return user

    def delete(self, user: User) -> None:
        self.session.delete(user)
        self.session.flush()

    # Refresh tokens
    def refresh_by_digest(self, digest: str) -> RefreshToken | None:
        query = select(RefreshToken).where(RefreshToken.token_digest == digest)
        return self.session.scalars(query).one_or_none()

    def revoke_family(self, family_id: str, at: datetime) -> None:
        self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    # Personal access tokens
    def pat_by_digest(self, digest: str) -> PersonalAccessToken | None:
        query = select(PersonalAccessToken).where(PersonalAccessToken.token_digest == digest)
        return self.session.scalars(query).one_or_none()

    def pats(self, user_id: str) -> list[PersonalAccessToken]:
        query = (
            select(PersonalAccessToken)
            .where(PersonalAccessToken.user_id == user_id, PersonalAccessToken.revoked_at.is_(None))
            .order_by(PersonalAccessToken.created_at)
        )
        return list(self.session.scalars(query))


class HouseholdRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, household_id: str) -> Household | None:
        return self.session.get(Household, household_id)

    def add(self, household: Household) -> Household:
        self.session.add(household)
        self.session.flush()
        return household

    def for_user(self, user_id: str) -> list[tuple[Household, str]]:
        query = (
            select(Household, Membership.role)
            .join(Membership, Membership.household_id == Household.id)
            .where(Membership.user_id == user_id)
            .order_by(Household.name, Household.id)
        )
        return [(household, role) for household, role in self.session.execute(query)]

    def membership(self, household_id: str, user_id: str) -> Membership | None:
        query = select(Membership).where(
            Membership.household_id == household_id, Membership.user_id == user_id
        )
        return self.session.scalars(query).one_or_none()

    def members(self, household_id: str) -> list[tuple[Membership, User]]:
        query = (
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.household_id == household_id)
            .order_by(User.email)
        )
        return [(m, u) for m, u in self.session.execute(query)]

    def owner_count(self, household_id: str) -> int:
        query = select(Membership.id).where(
            Membership.household_id == household_id, Membership.role == "owner"
        )
        return len(self.session.scalars(query).all())

    def sole_owned_households(self, user_id: str) -> list[Household]:
        owned = [h for h, role in self.for_user(user_id) if role == "owner"]
        return [h for h in owned if self.owner_count(h.id) == 1]

    def add_membership(self, membership: Membership) -> None:
        self.session.add(membership)
        self.session.flush()

    def remove_membership(self, membership: Membership) -> None:
        self.session.delete(membership)
        self.session.flush()

    def invitation_by_digest(self, digest: str) -> Invitation | None:
        query = select(Invitation).where(Invitation.token_digest == digest)
        return self.session.scalars(query).one_or_none()

    def invitations(self, household_id: str) -> list[Invitation]:
        query = (
            select(Invitation)
            .where(Invitation.household_id == household_id, Invitation.accepted_at.is_(None))
            .order_by(Invitation.created_at)
        )
        return list(self.session.scalars(query))

    def invitation(self, household_id: str, invitation_id: str) -> Invitation | None:
        query = select(Invitation).where(
            Invitation.household_id == household_id, Invitation.id == invitation_id
        )
        return self.session.scalars(query).one_or_none()

    def delete_household(self, household_id: str) -> None:
        """Deletes the household and everything it owns, children before parents so the
        same statements work whether or not the database enforces cascades."""
        from homeledger.db.registry import metadata  # every table, to find owned ones

        for table in reversed(metadata.sorted_tables):
            if "household_id" in table.c and table.name != "audit_events":
                if table.name == "accounts":
                    # Categories reference their parents; clear the links first.
                    self.session.execute(
                        update(table)
                        .where(table.c.household_id == household_id)
                        .values(parent_id=None)
                    )
                self.session.execute(delete(table).where(table.c.household_id == household_id))
        self.session.execute(delete(Household).where(Household.id == household_id))
        self.session.flush()
