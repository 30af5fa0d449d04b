"""What the API shows of a job."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import Field

from homeledger.kit.schemas import ReadSchema
from homeledger.worker.models import Job


class JobRead(ReadSchema):
    id: str
    type: str
    status: str = Field(description="queued | running | succeeded | failed")
    progress: int = Field(ge=0, le=100, description="Percent done.")
    message: str = Field(description="What the job is doing now.")
    result: dict[str, Any] | None = Field(description="The job's result once it succeeded.")
    error: str | None = Field(description="Why the job failed.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @classmethod
    def from_job(cls, job: Job) -> JobRead:
        return cls(
            id=job.id,
            type=job.type,
            status=job.status,
            progress=job.progress,
            message=job.message,
            result=json.loads(job.result) if job.result else None,
            error=job.error,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )
