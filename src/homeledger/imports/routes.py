"""JSON API of imports: upload -> preview -> commit, revert, and CSV mapping profiles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from pydantic import Field

from homeledger.imports import profiles, service
from homeledger.imports.schemas import (
    FileFormatName,
    ImportBatchRead,
    ImportCommit,
    ImportPreview,
    ProfileCreate,
    ProfileDetectionRead,
    ProfileRead,
    ProfileUpdate,
    ReadyProfileRead,
    RowStatus,
)
from homeledger.kit.schemas import ReadSchema
from homeledger.kit.storage import make_storage
from homeledger.web.deps import CtxDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/households/{household_id}", tags=["imports"])


class ImportJobAccepted(ReadSchema):
    job_id: str
    status_url: str = Field(description="Poll it; its result names the batch.")


Background = Annotated[
    bool,
    Query(description="Run as a background job (big files): answers 202 with the job."),
]


def _accepted(response: Response, household_id: str, job_id: str) -> ImportJobAccepted:
    response.status_code = 202
    return ImportJobAccepted(
        job_id=job_id, status_url=f"/api/v1/households/{household_id}/jobs/{job_id}"
    )


@router.post(
    "/imports",
    response_model=ImportBatchRead | ImportJobAccepted,
    status_code=201,
    summary="Upload a bank file and preview it",
)
def upload(
    ctx: CtxDep,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    file: Annotated[UploadFile, File(description="CSV, OFX/QFX, QIF, CAMT.053 or MT940.")],
    account_id: Annotated[str, Form(max_length=32)],
    background: Background = False,
    file_format: Annotated[FileFormatName, Form(alias="format")] = "auto",
    profile_id: Annotated[str | None, Form(max_length=32)] = None,
    profile: Annotated[
        str | None, Form(max_length=20000, description="A CSV mapping as JSON (corrections).")
    ] = None,
    qif_day_first: Annotated[bool | None, Form()] = None,
) -> ImportBatchRead | ImportJobAccepted:
    """Reads the file and records what committing would do to every row (new,
    duplicate, transfer, error, with the reason); the ledger is not touched. A file that
    cannot be read answers 422 naming the line and field, and nothing is kept."""
    name = file.filename or "upload"
    if background:
        job_id = service.enqueue_upload(
            session,
            ctx,
            make_storage(settings),
            account_id,
            file.file,
            name,
            file_format=file_format,
            profile_id=profile_id,
            profile_json=profile,
            qif_day_first=qif_day_first,
        )
        return _accepted(response, ctx.household_id, job_id)
    chosen = profiles.choose(session, ctx, account_id, profile_id=profile_id, profile_json=profile)
    return service.upload(
        session,
        ctx,
        account_id,
        file.file,
        name,
        file_format=file_format,
        profile=chosen,
        qif_day_first=qif_day_first,
    )


@router.get("/imports", response_model=list[ImportBatchRead], summary="Imports, newest first")
def list_imports(
    ctx: CtxDep,
    session: SessionDep,
    account_id: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[ImportBatchRead]:
    return service.list_batches(session, ctx, account_id, limit, offset)


@router.get("/imports/{batch_id}", response_model=ImportBatchRead, summary="One import")
def get_import(batch_id: str, ctx: CtxDep, session: SessionDep) -> ImportBatchRead:
    return service.get_batch(session, ctx, batch_id)


@router.get(
    "/imports/{batch_id}/rows", response_model=ImportPreview, summary="The rows and their fate"
)
def import_rows(
    batch_id: str,
    ctx: CtxDep,
    session: SessionDep,
    status: RowStatus | None = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ImportPreview:
    """Every row with its status and the reason ('same bank id as the transaction of
    2025-03-01', 'probably the manual entry of 2025-03-02: same amount, payee 92%
    alike'), and the category it goes to and why."""
    return service.preview(session, ctx, batch_id, status, offset, limit)


@router.post(
    "/imports/{batch_id}/commit",
    response_model=ImportBatchRead | ImportJobAccepted,
    summary="Commit a previewed import",
)
def commit_import(
    batch_id: str,
    data: ImportCommit,
    ctx: CtxDep,
    session: SessionDep,
    response: Response,
    background: Background = False,
) -> ImportBatchRead | ImportJobAccepted:
    """Decides every row again (the ledger may have changed), applies your overrides,
    and writes all rows or none. Rows that cannot be imported refuse the commit unless
    `skip_errors`."""
    if background:
        return _accepted(
            response, ctx.household_id, service.enqueue_commit(session, ctx, batch_id, data)
        )
    return service.commit(session, ctx, batch_id, data)


@router.post(
    "/imports/{batch_id}/revert", response_model=ImportBatchRead, summary="Revert an import"
)
def revert_import(batch_id: str, ctx: CtxDep, session: SessionDep) -> ImportBatchRead:
    """Deletes exactly the transactions the import made (a transfer it joined goes back
    to one side); refused while any of them is reconciled."""
    return service.revert(session, ctx, batch_id)


@router.delete("/imports/{batch_id}", status_code=204, summary="Discard a previewed import")
def discard_import(batch_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.discard(session, ctx, batch_id)
    return Response(status_code=204)


# Profiles


@router.get(
    "/import-profiles", response_model=list[ProfileRead], summary="Saved CSV mapping profiles"
)
def list_profiles(ctx: CtxDep, session: SessionDep) -> list[ProfileRead]:
    return profiles.list_profiles(session, ctx)


@router.get(
    "/import-profiles/ready",
    response_model=list[ReadyProfileRead],
    summary="Shipped profiles for common bank exports",
)
def ready(ctx: CtxDep) -> list[ReadyProfileRead]:
    del ctx  # members only, like everything under the household
    return profiles.list_ready_profiles()


@router.post(
    "/import-profiles/detect",
    response_model=ProfileDetectionRead,
    summary="Detect a CSV's mapping and show its first rows",
)
def detect_profile(
    ctx: CtxDep,
    session: SessionDep,
    file: Annotated[UploadFile, File()],
    account_id: Annotated[str | None, Form(max_length=32)] = None,
) -> ProfileDetectionRead:
    return profiles.detect_profile(
        session, ctx, file.file, file.filename or "upload.csv", account_id
    )


@router.post(
    "/import-profiles", response_model=ProfileRead, status_code=201, summary="Save a profile"
)
def create_profile(data: ProfileCreate, ctx: CtxDep, session: SessionDep) -> ProfileRead:
    """For an account (`account_id`) or for every account at a bank (`institution`)."""
    return profiles.create_profile(session, ctx, data)


@router.patch(
    "/import-profiles/{profile_id}", response_model=ProfileRead, summary="Change a profile"
)
def update_profile(
    profile_id: str, data: ProfileUpdate, ctx: CtxDep, session: SessionDep
) -> ProfileRead:
    return profiles.update_profile(session, ctx, profile_id, data)


@router.delete("/import-profiles/{profile_id}", status_code=204, summary="Delete a profile")
def delete_profile(profile_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    profiles.delete_profile(session, ctx, profile_id)
    return Response(status_code=204)
