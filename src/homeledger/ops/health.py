"""Liveness, readiness and the Prometheus endpoint."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from homeledger.kit import metrics

router = APIRouter(tags=["operations"])

Check = Callable[[], None]


def database_check(engine: Engine) -> Check:
    def check() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    return check


@router.get("/health/live", summary="The process is up")
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/health/ready",
    summary="Every dependency answers",
    responses={503: {"description": "A dependency is down"}},
)
def ready(request: Request) -> JSONResponse:
    checks: dict[str, Check] = request.app.state.readiness_checks
    components: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            components[name] = "ok"
            metrics.READINESS.labels(name).set(1)
        except Exception as error:
            components[name] = f"down: {type(error).__name__}"
            metrics.READINESS.labels(name).set(0)
    healthy = all(v == "ok" for v in components.values())
    body = {"status": "ok" if healthy else "unavailable", "components": components}
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
def prometheus() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
