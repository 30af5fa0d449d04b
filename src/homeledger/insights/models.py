"""The categoriser model store and the dismissed insights."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from homeledger.db.base import Base, created_column, id_column


class CategoriserModel(Base):
    """One trained categoriser per household (derived data: retraining rebuilds it)."""

    __tablename__ = "categoriser_models"

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), unique=True
    )
    model: Mapped[bytes] = mapped_column(LargeBinary)
    """The pickled model (joblib); loaded only after `signature` verifies."""
    signature: Mapped[str] = mapped_column(String(64))
    """HMAC-SHA256 (hex) over household, feature version and `model`, keyed from the
    app's secret: a tampered or transplanted blob is refused before unpickling."""
    feature_version: Mapped[str] = mapped_column(String(60))
    """A model from other code or another scikit-learn is retrained, not loaded."""
    training_size: Mapped[int]
    """Categorised transactions it learned from."""
    category_count: Mapped[int]
    holdout_size: Mapped[int]
    """The latest transactions held out to measure it (0 when too few)."""
    holdout_correct: Mapped[int]
    """Of those, how many it categorised right: accuracy = correct / size."""
    trained_at: Mapped[datetime] = created_column()
    corrections_since: Mapped[int] = mapped_column(default=0)
    """Transactions categorised (new or edited) since `trained_at` whose category is not
    the model's first suggestion; counted by the retrain check."""
    checked_at: Mapped[datetime] = created_column()
    """When `corrections_since` was last counted."""


class InsightDismissal(Base):
    """An insight the household does not want to see again."""

    __tablename__ = "insight_dismissals"
    __table_args__ = (UniqueConstraint("household_id", "insight_key"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    insight_key: Mapped[str] = mapped_column(String(64))
    """Stable hash of the insight's kind, subject and period (`calc.insight_key`)."""
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200), default="")
    """What the insight said, so a list of dismissed ones reads well."""
    user_id: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = created_column()
