"""JSON API of rules (CRUD, order, dry run, apply) and payee aliases."""

from __future__ import annotations

from fastapi import APIRouter, Response

from homeledger.rules import apply, service
from homeledger.rules.schemas import (
    PayeeAliasCreate,
    PayeeAliasRead,
    RuleCreate,
    RuleOrder,
    RuleRead,
    RuleRun,
    RuleRunResult,
    RuleUpdate,
)
from homeledger.web.deps import CtxDep, SessionDep

router = APIRouter(prefix="/api/v1/households/{household_id}", tags=["rules"])


@router.get("/rules", response_model=list[RuleRead], summary="Rules, in the order they run")
def list_rules(ctx: CtxDep, session: SessionDep) -> list[RuleRead]:
    return service.list_rules(session, ctx)


@router.post("/rules", response_model=RuleRead, status_code=201, summary="Create a rule")
def create_rule(data: RuleCreate, ctx: CtxDep, session: SessionDep) -> RuleRead:
    """Conditions on payee, memo, text, amount, direction, account and date; actions set
    the category, payee, tags or memo, split, or mark a transfer. Rules run on import and
    on demand (`/rules/dry-run`, `/rules/apply`)."""
    return service.create_rule(session, ctx, data)


@router.post("/rules/order", response_model=list[RuleRead], summary="Reorder the rules")
def reorder(data: RuleOrder, ctx: CtxDep, session: SessionDep) -> list[RuleRead]:
    return service.reorder(session, ctx, data)


@router.post(
    "/rules/dry-run",
    response_model=RuleRunResult,
    summary="Which rule matches which transaction, and why",
)
def dry_run(data: RuleRun, ctx: CtxDep, session: SessionDep) -> RuleRunResult:
    """Changes nothing: lists each matching transaction, the rules that matched with
    their reasons, and what applying would change."""
    return apply.run(session, ctx, data, dry_run=True)


@router.post(
    "/rules/apply", response_model=RuleRunResult, summary="Apply rules to existing transactions"
)
def apply_rules(data: RuleRun, ctx: CtxDep, session: SessionDep) -> RuleRunResult:
    return apply.run(session, ctx, data, dry_run=False)


@router.get("/rules/{rule_id}", response_model=RuleRead, summary="One rule")
def get_rule(rule_id: str, ctx: CtxDep, session: SessionDep) -> RuleRead:
    return service.get_rule(session, ctx, rule_id)


@router.patch("/rules/{rule_id}", response_model=RuleRead, summary="Change a rule")
def update_rule(rule_id: str, data: RuleUpdate, ctx: CtxDep, session: SessionDep) -> RuleRead:
    return service.update_rule(session, ctx, rule_id, data)


@router.delete("/rules/{rule_id}", status_code=204, summary="Delete a rule")
def delete_rule(rule_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.delete_rule(session, ctx, rule_id)
    return Response(status_code=204)


@router.get(
    "/payee-aliases",
    response_model=list[PayeeAliasRead],
    summary="What bank texts mean, as you said or corrected",
)
def list_aliases(ctx: CtxDep, session: SessionDep) -> list[PayeeAliasRead]:
    return [PayeeAliasRead.model_validate(a) for a in service.list_aliases(session, ctx)]


@router.post(
    "/payee-aliases",
    response_model=PayeeAliasRead,
    status_code=201,
    summary="Say what a bank text means",
)
def save_alias(data: PayeeAliasCreate, ctx: CtxDep, session: SessionDep) -> PayeeAliasRead:
    """'POS 1234 AMAZON MKTPLACE*2K4' -> payee 'Amazon' (and a category): the text is
    reduced to its key ('amazon mktplace'), which also covers its longer variants."""
    return PayeeAliasRead.model_validate(service.save_alias(session, ctx, data))


@router.delete("/payee-aliases/{alias_id}", status_code=204, summary="Forget an alias")
def delete_alias(alias_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.delete_alias(session, ctx, alias_id)
    return Response(status_code=204)
