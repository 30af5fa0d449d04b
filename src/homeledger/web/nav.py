"""The main navigation, as data. A later feature adds its page with one `NavItem` here
(or `register(...)` from its own pages module); the shell renders whatever is listed."""

from __future__ import annotations

from dataclasses import dataclass

from homeledger.kit.tenancy import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    key: str
    """The keyboard shortcut after 'g' (g d: dashboard), one letter, unique."""
    order: int
    min_role: Role = Role.VIEWER
    prefixes: tuple[str, ...] = ()
    """Other paths under which this entry shows as current."""


NAV: list[NavItem] = [
    NavItem("Dashboard", "/", "d", 10),
    NavItem("Transactions", "/transactions", "t", 20),
    NavItem("Accounts", "/accounts", "a", 30),
    NavItem("Categories", "/categories", "c", 40, prefixes=("/payees", "/tags")),
]


def register(item: NavItem) -> None:
    """Adds an entry (idempotent by href), kept in `order`."""
    if all(existing.href != item.href for existing in NAV):
        NAV.append(item)
        NAV.sort(key=lambda i: i.order)


@dataclass(frozen=True)
class NavLink:
    item: NavItem
    current: bool


def _is_current(item: NavItem, path: str) -> bool:
    if path == item.href or (item.href != "/" and path.startswith(item.href + "/")):
        return True
    return any(path == p or path.startswith(p + "/") for p in item.prefixes)


def nav_for(role: Role | None, path: str) -> list[NavLink]:
    if role is None:
        return []
    return [
        NavLink(item, _is_current(item, path))
        for item in sorted(NAV, key=lambda i: i.order)
        if role.rank >= item.min_role.rank
    ]
