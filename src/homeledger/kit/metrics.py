"""Prometheus metrics. Names are a contract with deploy/monitoring (rules, dashboard).

Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes every worker write its samples to files
that /metrics aggregates (prometheus-client's multiprocess mode)."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "homeledger_http_requests_total", "HTTP requests", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "homeledger_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
HTTP_IN_PROGRESS = Gauge(
    "homeledger_http_requests_in_progress", "Requests being served", multiprocess_mode="livesum"
)
DB_POOL_IN_USE = Gauge(
    "homeledger_db_pool_connections_in_use",
    "Checked-out DB connections",
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge("homeledger_db_pool_size", "DB pool size", multiprocess_mode="livesum")
JOBS = Counter("homeledger_jobs_total", "Background jobs run", ["type", "outcome"])
JOB_DURATION = Histogram(
    "homeledger_job_duration_seconds",
    "Background job duration",
    ["type"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
SIGNUPS = Counter("homeledger_signups_total", "Users registered")
TRANSACTIONS_CREATED = Counter("homeledger_transactions_created_total", "Transactions created")
IMPORTS = Counter("homeledger_imports_total", "Bank file imports", ["outcome"])
RECONCILIATIONS = Counter("homeledger_reconciliations_total", "Reconciliations finished")
READINESS = Gauge(
    "homeledger_readiness",
    "1 when the component is reachable",
    ["component"],
    multiprocess_mode="liveall",
)
BACKUP_LAST_SUCCESS = Gauge(
    "homeledger_backup_last_success_timestamp_seconds",
    "Unix time of the last successful backup",
    multiprocess_mode="max",
)

_ALL = (
    HTTP_REQUESTS,
    HTTP_LATENCY,
    HTTP_IN_PROGRESS,
    DB_POOL_IN_USE,
    DB_POOL_SIZE,
    JOBS,
    JOB_DURATION,
    SIGNUPS,
    TRANSACTIONS_CREATED,
    IMPORTS,
    RECONCILIATIONS,
    READINESS,
    BACKUP_LAST_SUCCESS,
)


def exposed_metric_names() -> set[str]:
    """Every sample name /metrics can show (histograms as _bucket/_sum/_count too)."""
    names: set[str] = set()
    for metric in _ALL:
        for family in metric.describe():
            names.add(family.name)
            if family.type == "counter":
                names.add(family.name + "_total")
            if family.type == "histogram":
                names.update(family.name + suffix for suffix in ("_bucket", "_sum", "_count"))
    return names


def render() -> tuple[bytes, str]:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
