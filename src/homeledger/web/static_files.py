"""Serving the built assets: hashed names are immutable for a year; precompressed .gz
copies go to browsers that accept gzip; the service worker, favicon and offline page
have fixed URLs."""

from __future__ import annotations

import mimetypes
import os
import re

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from homeledger.web import assets
from homeledger.web.templating import render

HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
IMMUTABLE = "public, max-age=31536000, immutable"


class HashedStaticFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        accepts = dict(scope.get("headers", [])).get(b"accept-encoding", b"")
        if HASHED.search(path) and b"gzip" in accepts:
            full, stat = self.lookup_path(path + ".gz")
            if stat is not None and full:
                response: Response = FileResponse(
                    full,
                    stat_result=stat,
                    media_type=self._media_type(path),
                    headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
                )
                response.headers["Cache-Control"] = IMMUTABLE
                return response
        response = await super().get_response(path, scope)
        if HASHED.search(path) and response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response

    @staticmethod
    def _media_type(path: str) -> str:
        if path.endswith(".webmanifest"):
            return "application/manifest+json"
        return mimetypes.guess_type(path)[0] or "application/octet-stream"


def static_app() -> HashedStaticFiles:
    os.makedirs(assets.DIST, exist_ok=True)
    return HashedStaticFiles(directory=assets.DIST, check_dir=False)


router = APIRouter(include_in_schema=False)


def _dist_file(name: str, media_type: str, cache: str) -> Response:
    path = assets.DIST / name
    if not path.is_file():
        return Response("assets not built: run `homeledger assets build`", status_code=404)
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": cache})


@router.get("/sw.js")
def service_worker() -> Response:
    # Browsers check for a new worker on navigation; it must never be cached for long.
    return _dist_file("sw.js", "text/javascript", "no-cache")


@router.get("/favicon.ico")
def favicon() -> Response:
    return _dist_file("favicon.ico", "image/x-icon", "public, max-age=86400")


@router.get("/offline")
def offline(request: Request) -> Response:
    """What the service worker shows when a page cannot load: no data, only the shell."""
    return render(request, "errors/offline.html")
