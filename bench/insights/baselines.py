"""The two baselines the learned categoriser is measured against.

* Most frequent category per payee: the exact normalised payee text seen in training
  gets the category it had most often; an unseen payee gets nothing.
* Rules as a user would write them: for the 10 most frequent payees of the training
  period, one 'text contains KEYWORD -> category' rule each ('contains lidl ->
  Groceries'). The keyword is the word of the payee's text that a user who knows the
  data would pick: of the payee's words, the one whose rule would be right most often
  on the training period (rows it would label correctly minus rows it would label
  wrongly). A payee already caught by an earlier rule gets none. The first matching
  rule wins; no match, no category.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from homeledger.insights.calc import normalise_text
from homeledger.insights.categorise import Row

RULE_COUNT = 10


def payee_key(row: Row) -> str:
    return normalise_text(row.payee)


def _words(row: Row) -> set[str]:
    return set(f"{normalise_text(row.payee)} {normalise_text(row.memo)}".split())


class PayeeBaseline:
    def __init__(self, rows: Sequence[Row], labels: Sequence[str]) -> None:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for row, label in zip(rows, labels, strict=True):
            counts[payee_key(row)][label] += 1
        self.best = {payee: c.most_common(1)[0][0] for payee, c in counts.items()}

    def predict(self, rows: Sequence[Row]) -> list[str | None]:
        return [self.best.get(payee_key(r)) for r in rows]


@dataclass(frozen=True)
class Rule:
    keyword: str
    category: str
    payee: str


class RulesBaseline:
    def __init__(self, rows: Sequence[Row], labels: Sequence[str]) -> None:
        by_payee: dict[str, list[int]] = defaultdict(list)
        for index, row in enumerate(rows):
            by_payee[payee_key(row)].append(index)
        words = [_words(r) for r in rows]
        self.rules: list[Rule] = []
        for payee in sorted(by_payee, key=lambda p: (-len(by_payee[p]), p)):
            if len(self.rules) == RULE_COUNT:
                break
            if not payee or self._match(set(payee.split())) is not None:
                continue
            category = Counter(labels[i] for i in by_payee[payee]).most_common(1)[0][0]

            def score(word: str, category: str = category) -> tuple[int, str]:
                hits = [labels[i] for i, w in enumerate(words) if word in w]
                return (2 * hits.count(category) - len(hits), word)

            keyword = max(payee.split(), key=score)
            self.rules.append(Rule(keyword, category, payee))

    def _match(self, words: set[str]) -> str | None:
        return next((r.category for r in self.rules if r.keyword in words), None)

    def predict(self, rows: Sequence[Row]) -> list[str | None]:
        return [self._match(_words(r)) for r in rows]
