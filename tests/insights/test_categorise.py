"""The learned categoriser, measured like a user would judge it: on the months after
it was trained, against the rules a user would write and against payee look-up."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import zlib
from pathlib import Path

import pytest
from bench.insights.baselines import PayeeBaseline, RulesBaseline, payee_key
from bench.insights.synthetic import START, Labelled, generate

from homeledger.insights import categorise
from homeledger.insights.calc import normalise_text
from homeledger.insights.categorise import Row

SPLIT = dt.date(START.year, START.month + 9, 1)  # nine months to learn, three to test
KEY = b"k" * 32


def _accuracy(predicted: list[str | None], truth: list[Labelled]) -> float:
    return sum(p == t.category for p, t in zip(predicted, truth, strict=True)) / len(truth)


@pytest.fixture(scope="module")
def synthetic() -> tuple[list[Labelled], list[Labelled], categorise.Categoriser]:
    data = generate(seed=42)
    train = [d for d in data if d.row.date is not None and d.row.date < SPLIT]
    test = [d for d in data if d.row.date is not None and d.row.date >= SPLIT]
    model = categorise.train([d.row for d in train], [d.category for d in train])
    return train, test, model


def test_bank_noise_is_stripped_from_payee_text() -> None:
    assert normalise_text("POS 4411 LIDL DIENSTL. SAGT DANKE 03.06 14:22") == (
        "pos lidl dienstl sagt danke"
    )
    assert normalise_text("SEPA-LASTSCHRIFT NETFLIX.COM 123 REF8H2K") == (
        "sepa lastschrift netflix com"
    )
    assert normalise_text("VISA 4871XXXXXXXX1234") == "visa"


def test_synthetic_household_is_categorised_right_nine_times_in_ten_for_known_payees(
    synthetic: tuple[list[Labelled], list[Labelled], categorise.Categoriser],
) -> None:
    train, test, model = synthetic
    seen = {payee_key(d.row) for d in train}
    predicted: list[str | None] = list(model.predict([d.row for d in test]))
    known = [i for i, d in enumerate(test) if payee_key(d.row) in seen]
    assert len(known) >= 100  # a real measurement, not a handful
    seen_accuracy = _accuracy([predicted[i] for i in known], [test[i] for i in known])
    rows, labels = [d.row for d in train], [d.category for d in train]
    overall = {
        "model": _accuracy(predicted, test),
        "payee": _accuracy(PayeeBaseline(rows, labels).predict([d.row for d in test]), test),
        "rules": _accuracy(RulesBaseline(rows, labels).predict([d.row for d in test]), test),
    }
    print(f"seen-payee accuracy {seen_accuracy:.3f}; overall {overall}")
    assert seen_accuracy >= 0.90
    assert overall["model"] > overall["payee"]
    assert overall["model"] > overall["rules"]


def test_confidence_means_what_it_says(
    synthetic: tuple[list[Labelled], list[Labelled], categorise.Categoriser],
) -> None:
    _, test, model = synthetic
    suggested = categorise.suggest(model, [d.row for d in test])
    right = [s[0] == d.category for s, d in zip(suggested, test, strict=True)]
    confident = [ok for ok, s in zip(right, suggested, strict=True) if s[1] >= 0.9]
    doubtful = [ok for ok, s in zip(right, suggested, strict=True) if s[1] < 0.5]
    assert len(confident) >= len(test) // 2
    assert sum(confident) / len(confident) >= 0.9
    assert sum(doubtful) / max(1, len(doubtful)) < 0.7
    mean_confidence = sum(s[1] for s in suggested) / len(suggested)
    assert abs(mean_confidence - sum(right) / len(right)) < 0.1


def test_amount_tells_apart_what_the_same_shop_sells() -> None:
    rows, labels = [], []
    for day in range(1, 29):
        date = dt.date(2025, 1, day)
        rows.append(Row("AMAZON EU S.A R.L.", "", -1299, "EUR", "card", date))
        labels.append("books")
        rows.append(Row("AMAZON EU S.A R.L.", "", -54900, "EUR", "card", date))
        labels.append("electronics")
    model = categorise.train(rows, labels)
    cheap, dear = categorise.suggest(
        model,
        [Row("AMAZON.DE 88123", "", -1499, "EUR", "card"), Row("AMAZON", "", -49900, "EUR")],
    )
    assert cheap[0] == "books"
    assert dear[0] == "electronics"
    assert 0.5 < cheap[1] <= 1.0


def test_a_household_with_too_little_history_gets_no_model() -> None:
    rows = [Row("Lidl", "", -1000, "EUR", date=dt.date(2025, 1, d)) for d in range(1, 6)]
    with pytest.raises(categorise.NotEnoughExamples, match="at least 10"):
        categorise.train(rows, ["groceries"] * 5)


def test_stored_model_round_trips_only_with_its_signature(
    synthetic: tuple[list[Labelled], list[Labelled], categorise.Categoriser],
) -> None:
    _, test, model = synthetic
    blob = categorise.dump(model)
    signature = categorise.sign(blob, KEY, "household-a")
    loaded = categorise.load(blob, signature, KEY, "household-a")
    sample = [d.row for d in test[:20]]
    assert categorise.suggest(loaded, sample) == categorise.suggest(model, sample)
    with pytest.raises(categorise.TamperedModel):
        categorise.load(blob, signature, KEY, "household-b")  # copied to another household
    with pytest.raises(categorise.TamperedModel):
        categorise.load(blob, signature, b"x" * 32, "household-a")  # another secret


class _Payload:
    """Unpickling this writes a file: a stand-in for an attacker's code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))  # unpickling calls open(marker, "w")


def test_tampered_bytes_are_refused_before_anything_is_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    evil = zlib.compress(pickle.dumps(_Payload(marker)))
    honest = categorise.dump(
        categorise.train(
            [Row(f"Shop {i % 2}", "", -100 * (i + 1), "EUR") for i in range(12)],
            ["a", "b"] * 6,
        )
    )
    signature = categorise.sign(honest, KEY, "household-a")
    with pytest.raises(categorise.TamperedModel):
        categorise.load(evil, signature, KEY, "household-a")
    assert not os.path.exists(marker)
