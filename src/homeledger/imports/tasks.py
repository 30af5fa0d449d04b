"""Background jobs of imports: reading a big upload (the preview) and committing it,
with progress in the jobs table. The uploaded file waits in storage under
`imports/<household>/<key>` and is removed once read."""

from __future__ import annotations

from homeledger.imports import profiles, service
from homeledger.imports.schemas import ImportCommit
from homeledger.kit.errors import DomainError
from homeledger.kit.storage import make_storage
from homeledger.users import service as users
from homeledger.worker.registry import JobContext, Payload, job

UPLOAD = "imports.upload"
COMMIT = "imports.commit"


def upload_key(household_id: str, token: str) -> str:
    return f"imports/{household_id}/{token}"


@job(UPLOAD)
def read_upload(context: JobContext, payload: Payload) -> Payload:
    session, storage = context.session, make_storage(context.settings)
    ctx = users.context_for(session, payload["user_id"], str(context.household_id))
    size = max(1, int(payload.get("size", 1)))
    key = str(payload["key"])
    profile = profiles.choose(
        session,
        ctx,
        payload["account_id"],
        profile_id=payload.get("profile_id"),
        profile_json=payload.get("profile"),
    )
    try:
        with storage.open(key) as stream:
            batch = service.upload(
                session,
                ctx,
                payload["account_id"],
                stream,
                payload["file_name"],
                file_format=payload.get("format", "auto"),
                profile=profile,
                qif_day_first=payload.get("qif_day_first"),
                progress=lambda rows, read: context.progress(
                    99 * read // size, f"{rows} rows read"
                ),
            )
    except DomainError:
        storage.delete(key)  # a bad file stays bad: no retry needs it
        raise
    storage.delete(key)
    return {"batch_id": batch.id, "counts": batch.counts.model_dump()}


@job(COMMIT)
def commit_upload(context: JobContext, payload: Payload) -> Payload:
    session = context.session
    ctx = users.context_for(session, payload["user_id"], str(context.household_id))
    total = max(1, int(payload.get("rows", 1)))
    batch = service.commit(
        session,
        ctx,
        payload["batch_id"],
        ImportCommit.model_validate(payload.get("commit", {})),
        progress=lambda rows, _: context.progress(99 * rows // total, f"{rows} rows committed"),
    )
    return {"batch_id": batch.id, "counts": batch.counts.model_dump()}
