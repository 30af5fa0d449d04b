"""create_app(settings) -> FastAPI: middleware, routers, error handlers."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from homeledger import __version__
from homeledger.accounts import routes as accounts_routes
from homeledger.budgets import pages as budgets_pages
from homeledger.budgets import routes as budgets_routes
from homeledger.config import Settings, check_production, get_settings
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory
from homeledger.exports import routes as exports_routes
from homeledger.fx import pages as fx_pages
from homeledger.fx import routes as fx_routes
from homeledger.imports import routes as imports_routes
from homeledger.insights import routes as insights_routes
from homeledger.kit import logging as hl_logging
from homeledger.kit.ratelimit import make_limiter
from homeledger.ledger import routes as ledger_routes
from homeledger.ops import gauges as ops_gauges
from homeledger.ops import health
from homeledger.ops.readiness import readiness_checks
from homeledger.reconciliation import routes as reconciliation_routes
from homeledger.reports import pages as reports_pages
from homeledger.reports import routes as reports_routes
from homeledger.rules import routes as rules_routes
from homeledger.schedules import pages as schedules_pages
from homeledger.schedules import routes as schedules_routes
from homeledger.users import routes as users_routes
from homeledger.web import problems
from homeledger.web.idempotency import IdempotencyMiddleware
from homeledger.web.middleware import (
    RateLimitMiddleware,
    RejectNulMiddleware,
    RequestContextMiddleware,
)
from homeledger.web.ui import install_ui
from homeledger.worker import routes as jobs_routes

DESCRIPTION = """
Self-hosted double-entry finance for a person or a household.

* Sign in with `POST /api/v1/auth/token` (OAuth2 password form) and send
  `Authorization: Bearer <access_token>`; or use a personal access token.
* Household data lives under `/api/v1/households/{household_id}/...`; members of
  other households get 404.
* Amounts are decimal strings in the currency's units (`"-12.30"`).
* Errors are `application/problem+json` with a stable `type` and, for input errors,
  the `field` at fault.
* POSTs accept an `Idempotency-Key` header: a repeat returns the first result.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    check_production(settings)
    hl_logging.configure(settings.log_level, settings.log_json)
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)

    app = FastAPI(
        title="homeledger",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        openapi_url="/api/openapi.json",
        debug=settings.debug,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory
    app.state.readiness_checks = readiness_checks(settings, engine)

    problems.install(app)
    for router in (
        health.router,
        users_routes.public,
        users_routes.router,
        users_routes.household,
        accounts_routes.router,
        ledger_routes.router,
        imports_routes.router,
        rules_routes.router,
        reconciliation_routes.router,
        exports_routes.router,
        insights_routes.router,
        fx_routes.router,
        budgets_routes.router,
        schedules_routes.router,
        reports_routes.router,
        budgets_pages.router,
        schedules_pages.router,
        reports_pages.router,
        fx_pages.router,
        jobs_routes.router,
        ops_gauges.router,
    ):
        app.include_router(router)
    install_ui(app, settings)

    # Outermost last: request context wraps everything, so even rate-limited and
    # replayed responses carry a request id and count in the metrics.
    app.add_middleware(IdempotencyMiddleware, session_factory=session_factory, settings=settings)
    app.add_middleware(
        RateLimitMiddleware,
        limiter=make_limiter(settings.redis_url),
        auth_per_minute=settings.rate_limit_auth_per_minute,
        api_per_minute=settings.rate_limit_api_per_minute,
    )
    app.add_middleware(RejectNulMiddleware)
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(RequestContextMiddleware, hsts=settings.is_production)
    return app
