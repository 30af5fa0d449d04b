"""Operator jobs. `ops.sleep` proves the job pipeline end to end (smoke and topology
tests, or an operator checking that workers run): it sleeps in steps, reports progress,
and records its completion in the audit log in the job's own transaction, so a job that
ran to completion twice would leave two records."""

from __future__ import annotations

import time

from homeledger.kit import audit
from homeledger.worker.registry import JobContext, Payload, job


@job("ops.sleep")
def sleep_in_steps(context: JobContext, payload: Payload) -> Payload:
    steps = max(0, min(1000, int(payload.get("steps", 1))))
    seconds = max(0.0, min(60.0, float(payload.get("seconds", 0.1))))
    for step in range(steps):
        time.sleep(seconds)
        context.progress(100 * (step + 1) // max(steps, 1), f"step {step + 1} of {steps}")
    audit.record(
        context.session,
        "ops.sleep.completed",
        user_id=None,
        household_id=context.household_id,
        target=context.job_id,
        attempt=context.attempt,
    )
    return {"steps": steps, "attempt": context.attempt}
