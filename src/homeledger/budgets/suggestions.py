"""Budget templates as the user keeps them: per-category settings (tracking rollover,
template), suggestions for a period, and filling a period from them.

The suggestions are `budgets.templates.suggest_all` over each category's history
(what was assigned and spent in every earlier period of the budget, and what it
holds at the start of the period, for savings goals).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from homeledger.accounts.service import get_account_model, labels
from homeledger.budgets.closing import Closed, close_through
from homeledger.budgets.models import Budget, BudgetCategory, BudgetMode, TemplateKind
from homeledger.budgets.repository import BudgetRepository
from homeledger.budgets.schemas import (
    ApplyTemplates,
    BudgetPeriodView,
    CategorySettingsIn,
    CategorySettingsRead,
    SuggestionRead,
    TemplateIn,
    TemplateRead,
)
from homeledger.budgets.service import (
    EXPENSE,
    get_budget_model,
    period_view,
    set_assignment,
)
from homeledger.budgets.templates import (
    AverageOfLast,
    Basis,
    CategoryHistory,
    CopyLast,
    Fixed,
    SavingsGoal,
    Template,
    suggest_all,
)
from homeledger.kit.errors import InvalidInput
from homeledger.kit.money import format_plain, to_minor
from homeledger.kit.tenancy import Ctx, Role


def _template(
    kind: str | None,
    basis: str | None,
    periods: int | None,
    amount: int | None,
    target_date: dt.date | None,
) -> Template | None:
    if kind is None:
        return None
    if kind == TemplateKind.COPY_LAST:
        return CopyLast(Basis(basis or "assigned"))
    if kind == TemplateKind.AVERAGE:
        return AverageOfLast(periods or 3, Basis(basis or "spent"))
    if kind == TemplateKind.FIXED:
        if amount is None:
            raise InvalidInput("template.amount", "a fixed template needs an amount")
        return Fixed(amount)
    if amount is None or target_date is None:
        raise InvalidInput("template", "a savings goal needs an amount and a target_date")
    return SavingsGoal(amount, target_date)


def _template_in(data: TemplateIn, currency: str) -> Template:
    amount = to_minor(Decimal(data.amount), currency, "template.amount") if data.amount else None
    try:
        template = _template(data.kind, data.basis, data.periods, amount, data.target_date)
    except ValueError as error:
        raise InvalidInput("template", str(error)) from None
    assert template is not None
    return template


def _template_read(setting: BudgetCategory, currency: str) -> TemplateRead | None:
    if setting.template_kind is None:
        return None
    amount = setting.template_amount_minor
    return TemplateRead(
        kind=TemplateKind(setting.template_kind),
        basis=setting.template_basis,
        periods=setting.template_periods,
        amount=format_plain(amount, currency) if amount is not None else None,
        target_date=setting.template_target_date,
    )


def _describe(template: Template, currency: str) -> TemplateRead:
    if isinstance(template, CopyLast):
        return TemplateRead(
            kind=TemplateKind.COPY_LAST,
            basis=template.basis.value,
            periods=None,
            amount=None,
            target_date=None,
        )
    if isinstance(template, AverageOfLast):
        return TemplateRead(
            kind=TemplateKind.AVERAGE,
            basis=template.basis.value,
            periods=template.periods,
            amount=None,
            target_date=None,
        )
    if isinstance(template, Fixed):
        return TemplateRead(
            kind=TemplateKind.FIXED,
            basis=None,
            periods=None,
            amount=format_plain(template.amount_minor, currency),
            target_date=None,
        )
    return TemplateRead(
        kind=TemplateKind.SAVINGS_GOAL,
        basis=None,
        periods=None,
        amount=format_plain(template.target_minor, currency),
        target_date=template.target_date,
    )


def list_category_settings(
    session: Session, ctx: Ctx, budget_id: str
) -> list[CategorySettingsRead]:
    budget = get_budget_model(session, ctx, budget_id)
    names = labels(session, ctx)
    return sorted(
        (
            CategorySettingsRead(
                category_id=s.category_id,
                path=names[s.category_id][0],
                rollover=s.rollover,
                template=_template_read(s, budget.currency),
            )
            for s in BudgetRepository(session).settings(ctx, budget.id)
        ),
        key=lambda r: r.path.casefold(),
    )


def set_category_settings(
    session: Session, ctx: Ctx, budget_id: str, category_id: str, data: CategorySettingsIn
) -> CategorySettingsRead:
    ctx.require(Role.EDITOR)
    budget = get_budget_model(session, ctx, budget_id)
    get_account_model(session, ctx, category_id, EXPENSE)
    template = _template_in(data.template, budget.currency) if data.template else None
    repo = BudgetRepository(session)
    setting = repo.setting(ctx, budget.id, category_id)
    if setting is None:
        setting = BudgetCategory(
            household_id=ctx.household_id, budget_id=budget.id, category_id=category_id
        )
        repo.add(setting)
    setting.rollover = data.rollover
    setting.template_kind = data.template.kind.value if data.template else None
    setting.template_basis = None
    setting.template_periods = None
    setting.template_amount_minor = None
    setting.template_target_date = None
    if isinstance(template, CopyLast | AverageOfLast):
        setting.template_basis = template.basis.value
        setting.template_periods = template.periods if isinstance(template, AverageOfLast) else None
    elif isinstance(template, Fixed):
        setting.template_amount_minor = template.amount_minor
    elif isinstance(template, SavingsGoal):
        setting.template_amount_minor = template.target_minor
        setting.template_target_date = template.target_date
    session.flush()
    return CategorySettingsRead(
        category_id=category_id,
        path=labels(session, ctx)[category_id][0],
        rollover=setting.rollover,
        template=_template_read(setting, budget.currency),
    )


def _histories(closed: Closed) -> dict[str, CategoryHistory]:
    """Each category's past periods (before the target), oldest first, and what it
    holds at the start of the target period."""
    past = range(len(closed.periods) - 1)
    histories: dict[str, CategoryHistory] = {}
    if closed.budget.mode == BudgetMode.ENVELOPE:
        carried = {line.category: line.carried_in_minor for line in closed.envelopes[-1].lines}
    else:
        carried = {line.category: line.carried_in_minor for line in closed.tracking[-1].lines}
    for category in closed.categories:
        histories[category] = CategoryHistory(
            assigned_minor=tuple(closed.assigned[i].get(category, 0) for i in past),
            spent_minor=tuple(closed.spent[i].get(category, 0) for i in past),
            saved_minor=carried.get(category, 0),
        )
    return histories


def _suggested(
    session: Session,
    ctx: Ctx,
    budget: Budget,
    day: dt.date,
    shared: TemplateIn | None,
    only: list[str],
) -> tuple[Closed, list[SuggestionRead]]:
    closed = close_through(session, ctx, budget, day)
    if shared is not None:
        template = _template_in(shared, budget.currency)
        templates = {
            c: template for c, account in closed.categories.items() if not account.is_archived
        }
    else:
        templates = {}
        for category, setting in closed.settings.items():
            found = _template(
                setting.template_kind,
                setting.template_basis,
                setting.template_periods,
                setting.template_amount_minor,
                setting.template_target_date,
            )
            if found is not None and category in closed.categories:
                templates[category] = found
    if only:
        templates = {c: t for c, t in templates.items() if c in set(only)}
    suggestions = suggest_all(templates, _histories(closed), closed.target, closed.rule)
    current = closed.assigned[-1]
    return closed, [
        SuggestionRead(
            category_id=s.category,
            path=closed.paths.get(s.category, ""),
            amount=format_plain(s.amount_minor, budget.currency),
            assigned=format_plain(current.get(s.category, 0), budget.currency),
            template=_describe(s.template, budget.currency),
        )
        for s in suggestions
    ]


def suggestions(
    session: Session, ctx: Ctx, budget_id: str, day: dt.date, template: TemplateIn | None = None
) -> list[SuggestionRead]:
    budget = get_budget_model(session, ctx, budget_id)
    return _suggested(session, ctx, budget, day, template, [])[1]


def apply_templates(
    session: Session, ctx: Ctx, budget_id: str, data: ApplyTemplates
) -> BudgetPeriodView:
    """Assigns what the templates suggest for the period holding ``data.date``."""
    ctx.require(Role.EDITOR)
    budget = get_budget_model(session, ctx, budget_id)
    closed, found = _suggested(session, ctx, budget, data.date, data.template, data.category_ids)
    for suggestion in found:
        amount = to_minor(Decimal(suggestion.amount), budget.currency)
        set_assignment(session, ctx, budget, suggestion.category_id, closed.target, amount)
    return period_view(session, ctx, budget_id, data.date)
