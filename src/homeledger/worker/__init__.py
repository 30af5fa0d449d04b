"""Background jobs: the `jobs` table, enqueue-after-commit, the task registry, and two
runners (an in-process thread pool by default, Celery when a broker is configured)."""

from homeledger.worker.dispatch import enqueue_after_commit
from homeledger.worker.registry import JobContext, job

__all__ = ["JobContext", "enqueue_after_commit", "job"]
