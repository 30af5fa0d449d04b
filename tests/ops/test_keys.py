"""`homeledger keys rotate`: account numbers move from the previous field key to the new
one, can be read with the new key only afterwards, and a second run changes nothing."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from tests.conftest import make_settings

from homeledger.accounts import service as accounts
from homeledger.accounts.models import Account
from homeledger.accounts.schemas import AccountCreate
from homeledger.db.session import make_session_factory, session_scope
from homeledger.kit import crypto
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ops.keys import RotationError, rotate_field_keys
from homeledger.users import service as users
from homeledger.users.schemas import HouseholdCreate, UserCreate

OLD = base64.b64encode(b"o" * 32).decode()
NEW = base64.b64encode(b"n" * 32).decode()
NUMBER = "DE89370400440532013000"


def test_rotation_re_encrypts_every_number_once(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    before = make_settings(database_url, tmp_path, encryption_key=OLD)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        owner = users.register(session, UserCreate(email="k@example.com", password="x" * 12))
        home = users.create_household(session, owner, HouseholdCreate(name="Home"))
        ctx = Ctx(owner.id, home.id, Role.OWNER)
        for name in ("Giro", "Savings", "Card"):
            data = AccountCreate(name=name, type="checking", currency="EUR", account_number=NUMBER)
            accounts.create_account(session, ctx, data, before.field_key())
        accounts.create_account(
            session,
            ctx,
            AccountCreate(name="Cash", type="cash", currency="EUR"),
            before.field_key(),
        )

    after = make_settings(database_url, tmp_path, encryption_key=NEW, encryption_key_previous=OLD)
    first = rotate_field_keys(after, factory)
    assert (first.rotated, first.already_current, first.unreadable) == (3, 0, [])
    with Session(engine) as session:
        rows = session.scalars(select(Account).where(Account.number_encrypted.is_not(None))).all()
        for account in rows:
            blob = account.number_encrypted
            assert blob is not None
            assert crypto.decrypt(after.field_key(), blob, account.id.encode()) == NUMBER
            with pytest.raises(crypto.DecryptionError):
                crypto.decrypt(before.field_key(), blob, account.id.encode())
    again = rotate_field_keys(after, factory)
    assert (again.rotated, again.already_current) == (0, 3)


def test_rotation_needs_the_previous_key(engine: Engine, database_url: str, tmp_path: Path) -> None:
    with pytest.raises(RotationError, match="HOMELEDGER_ENCRYPTION_KEY_PREVIOUS is not set"):
        rotate_field_keys(make_settings(database_url, tmp_path), make_session_factory(engine))
    same = make_settings(database_url, tmp_path, encryption_key=NEW, encryption_key_previous=NEW)
    with pytest.raises(RotationError, match="the same"):
        rotate_field_keys(same, make_session_factory(engine))
