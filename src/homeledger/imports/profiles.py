"""CSV mapping profiles saved per account and per bank, and the shipped ones: which
one reads a file, saving the one that worked, and managing them."""

from __future__ import annotations

import io
import json
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts_service
from homeledger.accounts.models import Account
from homeledger.imports import reading
from homeledger.imports.errors import BadImportFile, ImportFileError, InvalidProfileError
from homeledger.imports.models import ImportBatch, ImportProfile
from homeledger.imports.parsers import CsvProfile, read_statements, ready_profiles
from homeledger.imports.repository import ImportRepository
from homeledger.imports.schemas import (
    ImportRowRead,
    ProfileCreate,
    ProfileDetectionRead,
    ProfileRead,
    ProfileUpdate,
    ReadyProfileRead,
)
from homeledger.kit.errors import InvalidInput, NotFound
from homeledger.kit.tenancy import Ctx, Role


def _profile_of(stored: ImportProfile) -> CsvProfile | None:
    try:
        return CsvProfile.from_json(stored.profile_json)
    except (InvalidProfileError, TypeError):
        return None


def saved_for(session: Session, ctx: Ctx, account: Account) -> list[tuple[str, CsvProfile]]:
    """This account's saved profiles, then those saved for its bank."""
    found: list[tuple[str, CsvProfile]] = []
    stored = ImportRepository(session).profiles(ctx)
    bank = account.institution.casefold()
    for item in stored:
        if item.account_id == account.id and (profile := _profile_of(item)):
            found.append((f"account {account.name}", profile))
    for item in stored:
        mine = item.account_id is None and bank and item.institution.casefold() == bank
        if mine and (profile := _profile_of(item)):
            found.append((f"bank {item.institution}", profile))
    return found


def profile_by_name(session: Session, ctx: Ctx, account: Account, name: str) -> CsvProfile:
    """A saved profile (this account's first) or a shipped one, by name."""
    stored = sorted(
        ImportRepository(session).profiles(ctx), key=lambda p: p.account_id != account.id
    )
    for item in stored:
        if item.name == name and (profile := _profile_of(item)):
            return profile
    ready = ready_profiles()
    if name in ready:
        return ready[name].profile
    known = sorted({p.name for p in stored} | set(ready))
    raise InvalidInput("profile", f"no profile named '{name}'; there are: {', '.join(known)}")


def parse_profile(data: dict[str, Any] | str, field: str = "profile") -> CsvProfile:
    try:
        if isinstance(data, str):
            return CsvProfile.from_json(data)
        return CsvProfile.from_dict(data)
    except (InvalidProfileError, TypeError) as error:
        raise InvalidInput(field, str(error)) from None


def remember(session: Session, ctx: Ctx, account: Account, batch: ImportBatch) -> None:
    """The CSV mapping that worked is saved for the account (and its bank, once), so the
    next file of the account imports with no questions."""
    if batch.format != "csv" or not batch.profile_json:
        return
    repo = ImportRepository(session)
    stored = repo.profiles(ctx)
    mine = next((p for p in stored if p.account_id == account.id), None)
    if mine is None:
        repo.add_profile(
            ImportProfile(
                household_id=ctx.household_id,
                account_id=account.id,
                institution=account.institution,
                name=batch.profile_name or "saved",
                profile_json=batch.profile_json,
            )
        )
    else:
        mine.profile_json, mine.name = batch.profile_json, batch.profile_name or mine.name
    bank = account.institution.casefold()
    if bank and not any(p.account_id is None and p.institution.casefold() == bank for p in stored):
        repo.add_profile(
            ImportProfile(
                household_id=ctx.household_id,
                institution=account.institution,
                name=batch.profile_name or "saved",
                profile_json=batch.profile_json,
            )
        )


def _profile_read(item: ImportProfile) -> ProfileRead:
    return ProfileRead(
        id=item.id,
        name=item.name,
        account_id=item.account_id,
        institution=item.institution,
        profile=json.loads(item.profile_json),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def list_profiles(session: Session, ctx: Ctx) -> list[ProfileRead]:
    return [_profile_read(p) for p in ImportRepository(session).profiles(ctx)]


def list_ready_profiles() -> list[ReadyProfileRead]:
    return [
        ReadyProfileRead(name=name, header=list(r.header), profile=r.profile.to_dict())
        for name, r in sorted(ready_profiles().items())
    ]


def _get_profile(session: Session, ctx: Ctx, profile_id: str) -> ImportProfile:
    item = ImportRepository(session).profile(ctx, profile_id)
    if item is None:
        raise NotFound("no such import profile")
    return item


def create_profile(session: Session, ctx: Ctx, data: ProfileCreate) -> ProfileRead:
    ctx.require(Role.EDITOR)
    profile = parse_profile(data.profile)
    if data.account_id is not None:
        accounts_service.get_account_model(session, ctx, data.account_id)
    item = ImportRepository(session).add_profile(
        ImportProfile(
            household_id=ctx.household_id,
            account_id=data.account_id,
            institution=data.institution,
            name=data.name,
            profile_json=profile.to_json(),
        )
    )
    return _profile_read(item)


def update_profile(session: Session, ctx: Ctx, profile_id: str, data: ProfileUpdate) -> ProfileRead:
    ctx.require(Role.EDITOR)
    item = _get_profile(session, ctx, profile_id)
    if data.profile is not None:
        item.profile_json = parse_profile(data.profile).to_json()
    if data.name is not None:
        item.name = data.name
    if data.institution is not None:
        item.institution = data.institution
    session.flush()
    return _profile_read(item)


def delete_profile(session: Session, ctx: Ctx, profile_id: str) -> None:
    ctx.require(Role.EDITOR)
    ImportRepository(session).delete_profile(_get_profile(session, ctx, profile_id))


def detect_profile(
    session: Session, ctx: Ctx, stream: BinaryIO, file_name: str, account_id: str | None = None
) -> ProfileDetectionRead:
    """The mapping a CSV would be read with, and its first rows read that way: what the
    user checks and corrects before saving it."""
    head = stream.read(1 << 16)
    saved = []
    if account_id is not None:
        account = accounts_service.get_account_model(session, ctx, account_id)
        saved = saved_for(session, ctx, account)
    try:
        detected = reading.detect(io.BytesIO(head), file_name, "csv", saved=saved)
        assert detected.profile is not None
        statements = read_statements(io.BytesIO(head), file_name, "csv", profile=detected.profile)
    except ImportFileError as error:
        raise BadImportFile.from_error(error) from None
    sample = [t for s in statements for t in s.transactions][:10]
    currency = detected.profile.currency or "EUR"
    return ProfileDetectionRead(
        profile=detected.profile.to_dict(),
        ready_profile=next(
            (n[len("recognised as ") :] for n in detected.notes if n.startswith("recognised as ")),
            None,
        ),
        notes=list(detected.notes),
        sample=[
            ImportRowRead(
                line=t.line,
                date=t.date,
                amount=str(t.amount),
                currency=t.currency or currency,
                pending=t.status == "pending",
                raw_payee=t.payee,
                payee=t.payee,
                memo=t.memo,
                bank_id=t.bank_id,
                status="new",
                reason="",
                category_id=None,
                category=t.category,
                category_reason="",
                transaction_id=None,
            )
            for t in sample
        ],
    )


def choose(
    session: Session,
    ctx: Ctx,
    account_id: str,
    *,
    profile_id: str | None = None,
    profile_json: str | None = None,
    profile_name: str | None = None,
) -> CsvProfile | None:
    """The CSV mapping the caller asked for: a saved one by id, one given inline (the
    user's corrections of a detected mapping), or one by name; None: choose as usual."""
    if profile_id:
        stored = _profile_of(_get_profile(session, ctx, profile_id))
        if stored is None:
            raise InvalidInput("profile_id", "the saved profile is no longer usable")
        return stored
    if profile_json:
        return parse_profile(profile_json)
    if profile_name:
        account = accounts_service.get_account_model(session, ctx, account_id)
        return profile_by_name(session, ctx, account, profile_name)
    return None
