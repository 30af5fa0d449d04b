"""The monitoring files and the application agree.

Every metric that deploy/monitoring's alert rules and Grafana dashboard query is one the
application exposes on /metrics (a renamed metric would otherwise silence an alert without
any error), the dashboard shows every metric family the application exposes, and every
alert links to its own section of the runbook, docs/operations.md.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from homeledger.kit.metrics import exposed_metric_names

# PyYAML ships with uvicorn[standard]; imported this way it needs no type stubs.
yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "monitoring" / "rules" / "homeledger.rules.yml"
DASHBOARD = ROOT / "deploy" / "monitoring" / "grafana" / "dashboards" / "homeledger.json"
RUNBOOK = ROOT / "docs" / "operations.md"
RUNBOOK_PATH = "docs/operations.md"

HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
FAMILY_SUFFIXES = (*HISTOGRAM_SUFFIXES, "_total")
# Metrics every rule file may use without the application defining them.
PROMETHEUS_BUILTINS = frozenset({"up"})

_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


def metric_names(promql: str) -> set[str]:
    """The homeledger metric names a PromQL expression (or Grafana query) mentions."""
    without_strings = _STRING_LITERAL.sub('""', promql)
    return {
        token for token in _IDENTIFIER.findall(without_strings) if token.startswith("homeledger_")
    }


def strip_suffix(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def load_rules() -> list[dict[str, object]]:
    document: object = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert isinstance(document, dict), f"{RULES}: not a mapping"
    groups = document.get("groups")
    assert isinstance(groups, list), f"{RULES}: no rule groups"
    assert groups, f"{RULES}: no rule groups"
    rules: list[dict[str, object]] = []
    for group in groups:
        assert isinstance(group, dict)
        group_rules = group.get("rules")
        assert isinstance(group_rules, list)
        for rule in group_rules:
            assert isinstance(rule, dict)
            rules.append({str(key): value for key, value in rule.items()})
    return rules


def alerts() -> list[dict[str, object]]:
    return [rule for rule in load_rules() if "alert" in rule]


def dashboard_queries(node: object) -> Iterator[str]:
    """Every PromQL text of the dashboard: panel targets and templating variable queries."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("expr", "query", "definition") and isinstance(value, str):
                yield value
            else:
                yield from dashboard_queries(value)
    elif isinstance(node, list):
        for item in node:
            yield from dashboard_queries(item)


def rule_references() -> set[str]:
    names: set[str] = set()
    for rule in load_rules():
        expr = rule.get("expr")
        assert isinstance(expr, str), f"rule without expr: {rule}"
        names |= metric_names(expr)
    return names


def recorded_names() -> set[str]:
    return {str(rule["record"]) for rule in load_rules() if "record" in rule}


def dashboard_references() -> set[str]:
    dashboard: object = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    names: set[str] = set()
    for query in dashboard_queries(dashboard):
        names |= metric_names(query)
    return names


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub generates for the headings of a Markdown document."""
    anchors: set[str] = set()
    seen: Counter[str] = Counter()
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        match = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line)
        if in_fence or not match:
            continue
        slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
        anchors.add(slug if seen[slug] == 0 else f"{slug}-{seen[slug]}")
        seen[slug] += 1
    return anchors


REFERENCED = sorted(rule_references() | dashboard_references())


def test_monitoring_files_reference_the_contract_metrics() -> None:
    # The parser finds what the alerts are built on; an empty set would pass vacuously.
    assert {
        "homeledger_http_requests_total",
        "homeledger_http_request_duration_seconds_bucket",
        "homeledger_readiness",
        "homeledger_jobs_total",
        "homeledger_backup_last_success_timestamp_seconds",
    } <= rule_references()
    assert len(dashboard_references()) >= 10


@pytest.mark.parametrize("name", REFERENCED)
def test_referenced_metric_is_exposed(name: str) -> None:
    exposed = exposed_metric_names() | recorded_names() | PROMETHEUS_BUILTINS
    assert name in exposed or strip_suffix(name, HISTOGRAM_SUFFIXES) in exposed, (
        f"{name} is queried by deploy/monitoring but homeledger does not expose it; "
        f"exposed: {sorted(exposed_metric_names())}"
    )


def test_dashboard_shows_every_exposed_metric_family() -> None:
    shown = {strip_suffix(name, FAMILY_SUFFIXES) for name in dashboard_references()}
    exposed = {strip_suffix(name, FAMILY_SUFFIXES) for name in exposed_metric_names()}
    assert exposed - shown == set(), f"add a panel for: {sorted(exposed - shown)} ({DASHBOARD})"


@pytest.mark.parametrize("alert", alerts(), ids=lambda rule: str(rule["alert"]))
def test_alert_is_documented_and_links_its_runbook_section(alert: dict[str, object]) -> None:
    annotations = alert.get("annotations")
    assert isinstance(annotations, dict)
    assert annotations.get("summary"), "summary annotation missing"
    assert annotations.get("description"), "description annotation missing"
    runbook_url = annotations.get("runbook_url")
    assert isinstance(runbook_url, str), "runbook_url annotation missing"
    path, _, anchor = runbook_url.partition("#")
    assert path.endswith(RUNBOOK_PATH), runbook_url
    assert anchor in github_anchors(RUNBOOK.read_text(encoding="utf-8")), (
        f"{RUNBOOK_PATH} has no heading for #{anchor} ({alert['alert']})"
    )
