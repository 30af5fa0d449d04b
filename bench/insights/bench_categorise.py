"""Categorisation benchmark: the learned categoriser against a rules-only baseline and
a most-frequent-category-per-payee baseline, on a held-out time split (train on the
first nine months, test on the last three), top-1 accuracy where the payee was seen in
training, where it was not, and overall.

    python -m bench.insights.bench_categorise [--seeds 10] [--skip-demo]

Households:
* demo: `homeledger demo`'s household, built through the services in a throwaway
  SQLite database and read back the way the service reads it for training;
* synthetic: `bench/insights/synthetic.py` (noisy bank texts), seed 42 (the one the
  test asserts on) and the mean and worst of `--seeds` more.

"Seen payee": the normalised payee text (`calc.normalise_text`: digits and
punctuation dropped) occurred in the training months. Nothing of the test months is
used for training, model selection or calibration.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.insights.baselines import PayeeBaseline, RulesBaseline, payee_key
from bench.insights.synthetic import generate
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory, session_scope
from homeledger.insights import categorise
from homeledger.insights.categorise import Row
from homeledger.insights.repository import InsightsRepository
from homeledger.insights.service import household_ctx, labelled
from homeledger.ops.demo import build_demo
from homeledger.ops.migrate import upgrade
from homeledger.users import service as users
from homeledger.users.schemas import UserCreate

Predict = Callable[[Sequence[Row]], Sequence[str | None]]


@dataclass
class Scores:
    seen: float
    unseen: float | None
    overall: float
    seen_n: int
    unseen_n: int


@dataclass
class Result:
    name: str
    train_n: int
    test_n: int
    scores: dict[str, Scores]
    mean_confidence: float
    confident_share: float
    confident_accuracy: float
    train_seconds: float
    suggest_ms_per_1000: float
    model_bytes: int


def _scores(predicted: Sequence[str | None], truth: Sequence[str], seen: Sequence[bool]) -> Scores:
    right = [p == t for p, t in zip(predicted, truth, strict=True)]
    known = [r for r, s in zip(right, seen, strict=True) if s]
    new = [r for r, s in zip(right, seen, strict=True) if not s]
    return Scores(
        seen=sum(known) / len(known),
        unseen=sum(new) / len(new) if new else None,
        overall=sum(right) / len(right),
        seen_n=len(known),
        unseen_n=len(new),
    )


def evaluate(name: str, rows: Sequence[Row], labels: Sequence[str], split: dt.date) -> Result:
    train = [i for i, r in enumerate(rows) if r.date is not None and r.date < split]
    test = [i for i, r in enumerate(rows) if r.date is not None and r.date >= split]
    train_rows, train_labels = [rows[i] for i in train], [labels[i] for i in train]
    test_rows, test_labels = [rows[i] for i in test], [labels[i] for i in test]
    known = {payee_key(r) for r in train_rows}
    seen = [payee_key(r) in known for r in test_rows]
    started = time.perf_counter()
    model = categorise.train(train_rows, train_labels)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    suggested = categorise.suggest(model, test_rows)
    suggest_seconds = time.perf_counter() - started
    methods: dict[str, Predict] = {
        "model": lambda r: [s[0] for s in suggested],
        "payee": PayeeBaseline(train_rows, train_labels).predict,
        "rules": RulesBaseline(train_rows, train_labels).predict,
    }
    scores = {m: _scores(predict(test_rows), test_labels, seen) for m, predict in methods.items()}
    confident = [s[0] == t for s, t in zip(suggested, test_labels, strict=True) if s[1] >= 0.9]
    return Result(
        name=name,
        train_n=len(train_rows),
        test_n=len(test_rows),
        scores=scores,
        mean_confidence=statistics.fmean(s[1] for s in suggested),
        confident_share=len(confident) / len(test_rows),
        confident_accuracy=sum(confident) / max(1, len(confident)),
        train_seconds=train_seconds,
        suggest_ms_per_1000=1000 * suggest_seconds * 1000 / len(test_rows),
        model_bytes=len(categorise.dump(model)),
    )


def _month_after(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def demo_household() -> tuple[list[Row], list[str]]:
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        password = "bench password 1234"  # noqa: S105 - a throwaway database's user
        owner = users.register(session, UserCreate(email="bench@example.com", password=password))
        household_id = build_demo(session, owner, b"b" * 32)
    with session_scope(factory) as session:
        ctx = household_ctx(session, household_id)
        rows, labels = labelled(InsightsRepository(session).entries(ctx))
    engine.dispose()
    return rows, labels


def synthetic(seed: int) -> tuple[list[Row], list[str]]:
    data = generate(seed)
    return [d.row for d in data], [d.category for d in data]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def table(results: Sequence[Result]) -> str:
    lines = [
        "| household | train / test | method | seen payee | unseen payee | overall |",
        "|---|---|---|---|---|---|",
    ]
    labels = {
        "model": "learned model",
        "payee": "most frequent per payee",
        "rules": "10 keyword rules",
    }
    for r in results:
        for method, label in labels.items():
            s = r.scores[method]
            lines.append(
                f"| {r.name} | {r.train_n} / {r.test_n} | {label} | {_pct(s.seen)} ({s.seen_n}) "
                f"| {_pct(s.unseen)} ({s.unseen_n}) | {_pct(s.overall)} |"
            )
    lines += [
        "",
        "| household | mean confidence | share >= 0.9 | accuracy when >= 0.9 | train s "
        "| suggest ms / 1000 rows | model bytes |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.mean_confidence:.3f} | {_pct(r.confident_share)} "
            f"| {_pct(r.confident_accuracy)} | {r.train_seconds:.2f} "
            f"| {r.suggest_ms_per_1000:.0f} | {r.model_bytes:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="Extra synthetic households.")
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    results = []
    if not args.skip_demo:
        rows, labels = demo_household()
        first = min(r.date for r in rows if r.date is not None)
        results.append(evaluate("demo", rows, labels, _month_after(first, 9)))
    rows, labels = synthetic(42)
    first = min(r.date for r in rows if r.date is not None)
    results.append(evaluate("synthetic (seed 42)", rows, labels, _month_after(first, 9)))
    print(table(results))
    if args.seeds:
        extra = []
        for seed in range(1, args.seeds + 1):
            rows, labels = synthetic(seed)
            first = min(r.date for r in rows if r.date is not None)
            extra.append(evaluate(f"seed {seed}", rows, labels, _month_after(first, 9)))
        print(f"\nSynthetic seeds 1-{args.seeds}: mean (worst)\n")
        print("| method | seen payee | unseen payee | overall |")
        print("|---|---|---|---|")
        for method in ("model", "payee", "rules"):
            cells = []
            for part in ("seen", "unseen", "overall"):
                values = [getattr(r.scores[method], part) or 0.0 for r in extra]
                cells.append(f"{_pct(statistics.fmean(values))} ({_pct(min(values))})")
            print(f"| {method} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
