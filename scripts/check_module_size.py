"""Fails when a source module passes 600 lines: split it into a package first."""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 600


def main() -> int:
    too_long = [
        (path, count)
        for path in sorted(Path("src").rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    ]
    for path, count in too_long:
        print(f"{path}: {count} lines (limit {LIMIT}); split it into smaller modules")
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
