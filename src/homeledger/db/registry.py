"""Imports every model module, so the metadata (and Alembic) sees every table."""

from homeledger.accounts import models as accounts_models
from homeledger.db.base import Base
from homeledger.kit import audit, idempotency
from homeledger.ledger import models as ledger_models
from homeledger.users import models as users_models
from homeledger.web import models as web_models

MODEL_MODULES = (users_models, accounts_models, ledger_models, audit, idempotency, web_models)
metadata = Base.metadata
