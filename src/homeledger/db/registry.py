"""Imports every model module, so the metadata (and Alembic) sees every table."""

from homeledger.accounts import models as accounts_models
from homeledger.budgets import models as budgets_models
from homeledger.db.base import Base
from homeledger.fx import models as fx_models
from homeledger.imports import models as imports_models
from homeledger.insights import models as insights_models
from homeledger.kit import audit, idempotency
from homeledger.ledger import models as ledger_models
from homeledger.reconciliation import models as reconciliation_models
from homeledger.reports import models as reports_models
from homeledger.rules import models as rules_models
from homeledger.schedules import models as schedules_models
from homeledger.users import models as users_models
from homeledger.web import models as web_models

MODEL_MODULES = (
    users_models,
    accounts_models,
    ledger_models,
    audit,
    idempotency,
    web_models,
    imports_models,
    rules_models,
    reconciliation_models,
    insights_models,
    fx_models,
    budgets_models,
    schedules_models,
    reports_models,
)
metadata = Base.metadata
