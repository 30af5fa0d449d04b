"""Every SQL statement of budgets. Reads of owned rows start from `scoped`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from homeledger.budgets.models import Budget, BudgetAssignment, BudgetCategory, BudgetMove
from homeledger.kit.tenancy import Ctx


class BudgetRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def scoped(self, ctx: Ctx) -> Select[Budget]:
        return select(Budget).where(Budget.household_id == ctx.household_id)

    def all(self, ctx: Ctx) -> list[Budget]:
        return list(self.session.scalars(self.scoped(ctx).order_by(Budget.name, Budget.id)))

    def get(self, ctx: Ctx, budget_id: str) -> Budget | None:
        return self.session.scalars(self.scoped(ctx).where(Budget.id == budget_id)).one_or_none()

    def by_name(self, ctx: Ctx, name: str) -> Budget | None:
        return self.session.scalars(self.scoped(ctx).where(Budget.name == name)).one_or_none()

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    def delete(self, budget: Budget) -> None:
        self.session.delete(budget)
        self.session.flush()

    # Category settings

    def settings(self, ctx: Ctx, budget_id: str) -> list[BudgetCategory]:
        query = select(BudgetCategory).where(
            BudgetCategory.household_id == ctx.household_id,
            BudgetCategory.budget_id == budget_id,
        )
        return list(self.session.scalars(query))

    def setting(self, ctx: Ctx, budget_id: str, category_id: str) -> BudgetCategory | None:
        query = select(BudgetCategory).where(
            BudgetCategory.household_id == ctx.household_id,
            BudgetCategory.budget_id == budget_id,
            BudgetCategory.category_id == category_id,
        )
        return self.session.scalars(query).one_or_none()

    # Assignments and moves

    def assignments(
        self, ctx: Ctx, budget_id: str, start: dt.date, end: dt.date
    ) -> list[BudgetAssignment]:
        """Assignments of periods starting in ``[start, end)``."""
        query = select(BudgetAssignment).where(
            BudgetAssignment.household_id == ctx.household_id,
            BudgetAssignment.budget_id == budget_id,
            BudgetAssignment.period_start >= start,
            BudgetAssignment.period_start < end,
        )
        return list(self.session.scalars(query))

    def assignment(
        self, ctx: Ctx, budget_id: str, category_id: str, period_start: dt.date
    ) -> BudgetAssignment | None:
        query = select(BudgetAssignment).where(
            BudgetAssignment.household_id == ctx.household_id,
            BudgetAssignment.budget_id == budget_id,
            BudgetAssignment.category_id == category_id,
            BudgetAssignment.period_start == period_start,
        )
        return self.session.scalars(query).one_or_none()

    def delete_assignment(self, row: BudgetAssignment) -> None:
        self.session.execute(delete(BudgetAssignment).where(BudgetAssignment.id == row.id))

    def moves(self, ctx: Ctx, budget_id: str, start: dt.date, end: dt.date) -> list[BudgetMove]:
        """Moves of periods starting in ``[start, end)``, oldest first."""
        query = (
            select(BudgetMove)
            .where(
                BudgetMove.household_id == ctx.household_id,
                BudgetMove.budget_id == budget_id,
                BudgetMove.period_start >= start,
                BudgetMove.period_start < end,
            )
            .order_by(BudgetMove.created_at, BudgetMove.id)
        )
        return list(self.session.scalars(query))
