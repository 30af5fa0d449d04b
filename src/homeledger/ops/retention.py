"""Which backup archives to keep: the newest of each of the last N days that have one,
and the newest of each of the last M months that have one. Pure: names and times in,
names to delete out. The newest archive is always kept."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

ARCHIVE_SUFFIX = ".hlbackup"
ARCHIVE_NAME = re.compile(r"^homeledger-(\d{8}T\d{6}Z)" + re.escape(ARCHIVE_SUFFIX) + "$")


def archive_name(created: datetime) -> str:
    return f"homeledger-{created.astimezone(UTC):%Y%m%dT%H%M%SZ}{ARCHIVE_SUFFIX}"


def archive_time(name: str) -> datetime | None:
    """The creation time in an archive's name; None for any other file (never pruned)."""
    match = ARCHIVE_NAME.match(name.rsplit("/", 1)[-1])
    if match is None:
        return None
    return datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def to_delete(
    archives: Iterable[tuple[str, datetime]], keep_daily: int, keep_monthly: int
) -> list[str]:
    newest_first = sorted(archives, key=lambda item: (item[1], item[0]), reverse=True)
    keep: set[str] = set()
    days: set[tuple[int, int, int]] = set()
    months: set[tuple[int, int]] = set()
    for index, (name, created) in enumerate(newest_first):
        day = (created.year, created.month, created.day)
        month = (created.year, created.month)
        if index == 0:
            keep.add(name)
        if day not in days and len(days) < keep_daily:
            days.add(day)
            keep.add(name)
        if month not in months and len(months) < keep_monthly:
            months.add(month)
            keep.add(name)
    return [name for name, _ in newest_first if name not in keep]
