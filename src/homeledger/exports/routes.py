"""JSON API of exports (streamed files) and the restore of a household JSON."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from homeledger.exports import service
from homeledger.exports.schemas import ExportQuery, HouseholdDocument, RestoreResult
from homeledger.kit.errors import InvalidInput
from homeledger.web.deps import CtxDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/households/{household_id}", tags=["exports"])
SPOOL = 8 << 20
"""Exports up to this size stay in memory; bigger ones spill to a temporary file."""


def _chunks(spool: IO[str]) -> Iterator[bytes]:
    with spool:
        spool.seek(0)
        while chunk := spool.read(1 << 16):
            yield chunk.encode("utf-8")


@router.get("/export", summary="Download an export", response_class=StreamingResponse)
def export(
    ctx: CtxDep,
    session: SessionDep,
    settings: SettingsDep,
    query: Annotated[ExportQuery, Query()],
) -> StreamingResponse:
    """`csv` and `qif` take the transaction list's filters; `json` is the whole
    household (restore it with `POST /restore` into an empty household); `beancount`
    loads in beancount (`bean-check`). Every export is audited."""
    # Closed by _chunks once the response is sent (or below when the export fails).
    spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115
        max_size=SPOOL, mode="w+", encoding="utf-8", newline=""
    )
    try:
        service.export(session, ctx, query.format, spool, settings.field_key(), query.filters())
    except BaseException:
        spool.close()
        raise
    name = service.file_name(session, ctx, query.format)
    return StreamingResponse(
        _chunks(spool),
        media_type=service.MEDIA_TYPES[query.format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/restore",
    response_model=RestoreResult,
    status_code=201,
    summary="Rebuild an exported household into this (empty) one",
)
def restore(
    ctx: CtxDep,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="A household JSON export.")],
) -> RestoreResult:
    try:
        document = HouseholdDocument.model_validate(json.load(file.file))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput("file", f"not a JSON document ({error})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput(f"file.{where}", first["msg"]) from None
    return service.restore(session, ctx, document, settings.field_key())
