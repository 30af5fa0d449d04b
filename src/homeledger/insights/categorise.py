"""Learned categorisation: a per-household linear model over the bank text, the amount
and the account, with a confidence that means what it says.

Features
--------
* the normalised payee and memo (`calc.normalise_text`: case-folded, words holding a
  digit dropped) as TF-IDF of character n-grams (2 to 5, ``char_wb``), so "LIDL
  DIENSTL" and "LIDL BERLIN" share most of their features;
* the amount: its direction, log-scaled size and a one-hot size band (a coffee and a
  laptop bought at the same shop are different things);
* the account, one-hot (the card pays for other things than the checking account).

Amounts enter as floats here and only here: features are measurements for a
classifier, never money; every figure the ledger keeps stays in integer minor units.

Model and confidence
--------------------
A multinomial logistic regression. Before the final fit, the latest fifth of the
examples (by date) is held out: the model trained on the rest is scored on it (the
accuracy the model store shows) and a temperature is fitted on it (one scalar that
minimises the log loss of ``softmax(logits / T)``, T between 0.5 and 10), so a
confidence of 0.9 is right about nine times in ten. The final model is then fitted
on every example and keeps the temperature.

Storage
-------
`dump` pickles a model (zlib-compressed) and `sign` computes an HMAC-SHA256 over the
household id, the feature version and the bytes with a key derived from the app's
secret; `load` refuses bytes whose HMAC does not match before unpickling anything.
Pickles are only ever ones this module made. The pickle names this module's functions
and scikit-learn's classes: bump `FEATURE_VERSION`'s leading number whenever the
features change, and stored models are retrained instead of loaded.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import hmac
import math
import pickle
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sklearn
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.preprocessing import FunctionTransformer

# threadpoolctl ships no type information; scikit-learn itself depends on it.
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from homeledger.insights.calc import normalise_text
from homeledger.kit.errors import InvalidInput
from homeledger.kit.money import exponent

FEATURE_VERSION = f"1/sklearn-{sklearn.__version__}"
"""Stored with each model: a model made by other code or another scikit-learn is not
loaded but retrained."""
MIN_EXAMPLES = 10
MIN_CATEGORIES = 2
HOLDOUT_FRACTION = 0.2
MIN_HOLDOUT = 5
MAX_NGRAMS = 40_000
"""Bounds the model's size (a few MB at most) whatever the history's length."""
REGULARISATION_C = 20.0
_SIZE_BANDS = (1, 3, 5, 10, 20, 35, 50, 75, 100, 200, 500, 1000, 2000, 5000)
"""Upper bounds, in the currency's major units, of the one-hot amount bands."""
_NUMERIC_WEIGHT = 0.5
_ACCOUNT_WEIGHT = 0.5


class NotEnoughExamples(ValueError):
    """Fewer categorised transactions (or categories) than a model needs."""


class TamperedModel(ValueError):
    """Stored model bytes whose HMAC does not match: refused before unpickling."""


@dataclass(frozen=True, slots=True)
class Row:
    """What is known of a transaction before it has a category."""

    payee: str
    memo: str
    amount_minor: int
    """As it hits the account: a payment is negative."""
    currency: str
    account_id: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    category_id: str
    confidence: float
    """Calibrated probability (0 to 1) that this is the category the household uses."""


def row_text(row: Row) -> str:
    return f"{normalise_text(row.payee)} | {normalise_text(row.memo)}"


def _major(row: Row) -> float:
    try:
        places = exponent(row.currency)
    except InvalidInput:  # an unknown code still gets a size, as if it had cents
        places = 2
    return abs(row.amount_minor) / 10.0**places


def row_facts(row: Row) -> dict[str, float]:
    """The amount and the account as named features (`DictVectorizer` one-hots them)."""
    size = _major(row)
    direction = "out" if row.amount_minor < 0 else "in"
    band = bisect.bisect_left(_SIZE_BANDS, size)
    facts = {
        "outgoing": _NUMERIC_WEIGHT if row.amount_minor < 0 else -_NUMERIC_WEIGHT,
        "log_size": _NUMERIC_WEIGHT * math.log1p(size) / math.log1p(10_000),
        f"band={direction}{band}": _NUMERIC_WEIGHT,
    }
    if row.account_id:
        facts[f"account={row.account_id}"] = _ACCOUNT_WEIGHT
    return facts


def _texts(rows: Sequence[Row]) -> list[str]:
    return [row_text(r) for r in rows]


def _all_facts(rows: Sequence[Row]) -> list[dict[str, float]]:
    return [row_facts(r) for r in rows]


def features() -> FeatureUnion:
    """Rows -> one sparse matrix: text n-grams beside the amount and account facts."""
    text = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        sublinear_tf=True,
        max_features=MAX_NGRAMS,
        dtype=np.float32,
    )
    return FeatureUnion(
        [
            ("text", make_pipeline(FunctionTransformer(_texts), text)),
            (
                "facts",
                make_pipeline(FunctionTransformer(_all_facts), DictVectorizer(dtype=np.float32)),
            ),
        ]
    )


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result


def _fit_temperature(logits: np.ndarray, truth: np.ndarray) -> float:
    """The temperature minimising the log loss of the held-out rows (grid search over
    0.5 to 10)."""
    best, best_loss = 1.0, math.inf
    # Never sharper than half: a small held-out slice that the model got all right
    # would otherwise push every confidence to 1.
    for temperature in np.exp(np.linspace(math.log(0.5), math.log(10.0), 61)):
        probabilities = _softmax(logits / temperature)
        picked = probabilities[np.arange(len(truth)), truth]
        loss = float(-np.mean(np.log(np.clip(picked, 1e-12, 1.0))))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


class Categoriser:
    """A trained model of one household's categories."""

    def __init__(self, features: FeatureUnion, classifier: LogisticRegression) -> None:
        self.features = features
        self.classifier = classifier
        self.temperature = 1.0
        self.training_size = 0
        self.holdout_size = 0
        self.holdout_correct = 0
        self.category_ids: tuple[str, ...] = tuple(str(c) for c in classifier.classes_)

    @property
    def accuracy(self) -> float | None:
        """Top-1 accuracy on the held-out latest examples; None when too few."""
        return self.holdout_correct / self.holdout_size if self.holdout_size else None

    def _logits(self, rows: Sequence[Row]) -> np.ndarray:
        scores = np.asarray(self.classifier.decision_function(self.features.transform(rows)))
        if scores.ndim == 1:  # two categories: one score, the log-odds of the second
            scores = np.column_stack([np.zeros_like(scores), scores])
        return scores

    def probabilities(self, rows: Sequence[Row]) -> np.ndarray:
        """(rows, categories) calibrated probabilities, columns as `category_ids`."""
        if not rows:
            return np.zeros((0, len(self.category_ids)))
        return _softmax(self._logits(rows) / self.temperature)

    def rank(self, rows: Sequence[Row], top: int = 3) -> list[list[Suggestion]]:
        """The `top` most likely categories of each row, most likely first."""
        probabilities = self.probabilities(rows)
        ranked = []
        for row_probabilities in probabilities:
            order = np.argsort(-row_probabilities, kind="stable")[:top]
            ranked.append(
                [
                    Suggestion(self.category_ids[i], round(float(row_probabilities[i]), 4))
                    for i in order
                ]
            )
        return ranked

    def predict(self, rows: Sequence[Row]) -> list[str]:
        return [ranked[0].category_id for ranked in self.rank(rows, top=1)]


def suggest(model: Categoriser, rows: Sequence[Row]) -> list[tuple[str, float]]:
    """(category_id, confidence) of the most likely category of each row: what the
    import pipeline shows beside each staged line."""
    return [(s[0].category_id, s[0].confidence) for s in model.rank(rows, top=1)]


def _fit(rows: Sequence[Row], labels: Sequence[str], seed: int) -> Categoriser:
    union = features()
    matrix = union.fit_transform(rows)
    classifier = LogisticRegression(C=REGULARISATION_C, max_iter=3000, random_state=seed)
    # One BLAS thread: on a small machine shared with the web workers, more threads
    # fight each other and the fit takes several times longer.
    with threadpool_limits(limits=1):
        classifier.fit(matrix, np.asarray(labels))
    return Categoriser(union, classifier)


def train(rows: Sequence[Row], labels: Sequence[str], *, seed: int = 0) -> Categoriser:
    """A model of `labels` (category ids) from `rows`, with its held-out accuracy and
    calibrated confidence (see the module docstring)."""
    if len(rows) != len(labels):
        raise ValueError("one label per row")
    if len(rows) < MIN_EXAMPLES or len(set(labels)) < MIN_CATEGORIES:
        raise NotEnoughExamples(
            f"needs at least {MIN_EXAMPLES} categorised transactions in {MIN_CATEGORIES} "
            f"categories; has {len(rows)} in {len(set(labels))}"
        )
    order = sorted(range(len(rows)), key=lambda i: (rows[i].date or dt.date.min, i))
    rows = [rows[i] for i in order]
    labels = [labels[i] for i in order]
    holdout = int(len(rows) * HOLDOUT_FRACTION)
    temperature, holdout_size, holdout_correct = 1.0, 0, 0
    if holdout >= MIN_HOLDOUT and len(set(labels[:-holdout])) >= MIN_CATEGORIES:
        trial = _fit(rows[:-holdout], labels[:-holdout], seed)
        held_rows, held_labels = rows[-holdout:], labels[-holdout:]
        logits = trial._logits(held_rows)
        predicted = [trial.category_ids[i] for i in np.argmax(logits, axis=1)]
        holdout_size = holdout
        holdout_correct = sum(p == t for p, t in zip(predicted, held_labels, strict=True))
        index = {c: i for i, c in enumerate(trial.category_ids)}
        known = [i for i, label in enumerate(held_labels) if label in index]
        if known:
            truth = np.asarray([index[held_labels[i]] for i in known])
            temperature = _fit_temperature(logits[known], truth)
    model = _fit(rows, labels, seed)
    model.temperature = temperature
    model.training_size = len(rows)
    model.holdout_size = holdout_size
    model.holdout_correct = holdout_correct
    return model


# Storage


def dump(model: Categoriser) -> bytes:
    """The model as compressed pickle bytes (`load` reads only signed ones)."""
    return zlib.compress(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), level=6)


def sign(blob: bytes, key: bytes, household_id: str) -> str:
    """HMAC-SHA256 over the household, the feature version and the bytes: a blob
    altered, or copied from another household, does not verify."""
    message = household_id.encode() + b"\x00" + FEATURE_VERSION.encode() + b"\x00" + blob
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def load(blob: bytes, signature: str, key: bytes, household_id: str) -> Categoriser:
    """Unpickles a model this app stored, after checking its HMAC."""
    if not hmac.compare_digest(sign(blob, key, household_id), signature):
        raise TamperedModel("the stored categoriser does not match its signature; refused")
    # The bytes are ours (the HMAC above proves it): unpickling them is safe.
    model = pickle.loads(zlib.decompress(blob))  # noqa: S301
    if not isinstance(model, Categoriser):
        raise TamperedModel("the stored categoriser is not a model")
    return model
