"""The caller's context: who acts, in which household, with which role.

Built only by the edge (the `get_ctx` dependency, a CLI or task helper) from a
verified membership; services take it and repositories filter by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from homeledger.kit.errors import Forbidden


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.OWNER: 2}


@dataclass(frozen=True, slots=True)
class Ctx:
    user_id: str
    household_id: str
    role: Role
    read_only: bool = False
    """True for tokens whose scopes allow reading only."""

    def require(self, role: Role) -> None:
        if self.read_only and role.rank > Role.VIEWER.rank:
            raise Forbidden("this token may only read")
        if self.role.rank < role.rank:
            raise Forbidden(f"this needs the {role.value} role; you are {self.role.value}")
