"""`homeledger keys rotate`: re-encrypt every encrypted column from the previous field
key (HOMELEDGER_ENCRYPTION_KEY_PREVIOUS) to the current one (HOMELEDGER_ENCRYPTION_KEY).

Batched (one transaction per batch, so a large table never holds a long lock) and
re-runnable: a value the current key already opens is left alone."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from homeledger.accounts.models import Account
from homeledger.config import Settings
from homeledger.db.session import session_scope
from homeledger.kit import crypto

BATCH = 500


class RotationError(RuntimeError):
    pass


@dataclass
class RotationResult:
    rotated: int = 0
    already_current: int = 0
    unreadable: list[str] = field(default_factory=list)
    """Ids whose value neither key opens (damaged, or a third key)."""


def previous_key(settings: Settings) -> bytes:
    if not settings.encryption_key_previous:
        raise RotationError(
            "HOMELEDGER_ENCRYPTION_KEY_PREVIOUS is not set: set it to the key being replaced"
        )
    key = base64.b64decode(settings.encryption_key_previous)
    if len(key) != 32:
        raise RotationError("HOMELEDGER_ENCRYPTION_KEY_PREVIOUS must be base64 of 32 bytes")
    return key


def rotate_field_keys(
    settings: Settings,
    factory: sessionmaker[Session],
    progress: Callable[[int], None] = lambda _: None,
) -> RotationResult:
    old, new = previous_key(settings), settings.field_key()
    if old == new:
        raise RotationError("the previous and the current key are the same")
    result = RotationResult()
    after = ""
    while True:
        with session_scope(factory) as session:
            batch = list(
                session.scalars(
                    select(Account)
                    .where(Account.number_encrypted.is_not(None), Account.id > after)
                    .order_by(Account.id)
                    .limit(BATCH)
                )
            )
            for account in batch:
                blob, associated = account.number_encrypted, account.id.encode()
                assert blob is not None
                try:
                    crypto.decrypt(new, blob, associated)
                    result.already_current += 1
                    continue
                except crypto.DecryptionError:
                    pass
                try:
                    plain = crypto.decrypt(old, blob, associated)
                except crypto.DecryptionError:
                    result.unreadable.append(account.id)
                    continue
                account.number_encrypted = crypto.encrypt(new, plain, associated)
                result.rotated += 1
        if not batch:
            return result
        after = batch[-1].id
        progress(result.rotated)
