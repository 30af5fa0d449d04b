"""gunicorn settings for `homeledger serve --workers N` (passed with -c).

prometheus-client's multiprocess mode: every worker writes its samples to files in
PROMETHEUS_MULTIPROC_DIR and /metrics adds them up, so a scrape that reaches any worker
sees the whole server. The directory must exist and start empty, and must be set before
prometheus_client is first imported (it picks its value store at import): this module
sets it when the operator did not, before gunicorn forks any worker. A dead worker's
live gauges (requests in flight, pool connections) are dropped in `child_exit`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

_directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if not _directory:
    _directory = tempfile.mkdtemp(prefix="homeledger-prometheus-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _directory
Path(_directory).mkdir(parents=True, exist_ok=True)

worker_class = "uvicorn.workers.UvicornWorker"
graceful_timeout = 30
"""In-flight requests get this long after SIGTERM (the pod's grace period is 40 s)."""
keepalive = 5


def on_starting(server: Any) -> None:
    """Samples of an earlier run's processes must not be counted again."""
    for leftover in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        leftover.unlink(missing_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
