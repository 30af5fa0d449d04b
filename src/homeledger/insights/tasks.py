"""Background jobs of the insights.

`insights.retrain` counts the corrections since the household's categoriser was
trained and retrains it when they are enough (`service.retrain_if_due`). Serving
suggestions queues it when the count is more than an hour old; an operator can also
run it for every household (`homeledger insights retrain-due`)."""

from __future__ import annotations

from homeledger.insights import service
from homeledger.worker.registry import JobContext, Payload, job


@job(service.RETRAIN_JOB)
def retrain(context: JobContext, payload: Payload) -> Payload:
    household_id = context.household_id or str(payload.get("household_id", ""))
    ctx = service.household_ctx(context.session, household_id)
    key = service.categoriser_key(context.settings.secret_key)
    context.progress(10, "counting corrections")
    result = service.retrain_if_due(
        context.session, ctx, key, force=bool(payload.get("force", False))
    )
    context.progress(100, result.reason)
    return {
        "retrained": result.retrained,
        "corrections": result.corrections,
        "reason": result.reason,
        "training_size": result.model.training_size if result.model else 0,
    }
