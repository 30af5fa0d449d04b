"""Static assets: the build that fingerprints them, and the URLs templates use.

`homeledger assets build` copies the front-end libraries from node_modules (installed
by `npm ci` from package-lock.json) and the project's own static/src/* into the
git-ignored static/dist/, each named with a hash of its content, plus generated icons,
the PWA manifest, the service worker and manifest.json (logical name -> hashed name).
Templates call `asset('app.js')`; hashed files are cached for a year by browsers.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from homeledger.web import icons

STATIC = Path(__file__).resolve().parent / "static"
SOURCE = STATIC / "src"
DIST = STATIC / "dist"
PREFIX = "/static/"
VENDOR = {
    "htmx.js": "htmx.org/dist/htmx.min.js",
    # line, bar, pie and scatter charts with tooltips: two thirds of the full build.
    "echarts.js": "echarts/dist/echarts.common.min.js",
}
UNHASHED = ("sw.js",)  # served at fixed URLs by routes, never cached for long
COMPRESSIBLE = (".js", ".css", ".svg", ".webmanifest", ".json", ".ico")
THEME_COLOR = "#17624f"


class AssetsNotBuilt(RuntimeError):
    """The pages need `homeledger assets build` (after `npm ci`) to have run."""


@dataclass(frozen=True)
class BuildReport:
    files: dict[str, str]
    out: Path


def _hashed(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:12]
    stem, dot, ext = name.partition(".")
    return f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"


def _write(out: Path, name: str, data: bytes, manifest: dict[str, str]) -> str:
    hashed = _hashed(name, data)
    (out / hashed).write_bytes(data)
    if hashed.endswith(COMPRESSIBLE) and len(data) > 1024:
        (out / (hashed + ".gz")).write_bytes(gzip.compress(data, 9, mtime=0))
    manifest[name] = hashed
    return hashed


def build(node_modules: Path, out: Path = DIST, source: Path = SOURCE) -> BuildReport:
    missing = [rel for rel in VENDOR.values() if not (node_modules / rel).is_file()]
    if missing:
        raise AssetsNotBuilt(
            f"{node_modules} lacks {', '.join(missing)}: run `npm ci` at the repository root"
        )
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    manifest: dict[str, str] = {}
    for name, rel in VENDOR.items():
        _write(staging, name, (node_modules / rel).read_bytes(), manifest)
    for path in sorted(source.iterdir()):
        if path.is_file() and path.name not in UNHASHED:
            _write(staging, path.name, path.read_bytes(), manifest)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),
    ):
        _write(staging, name, icons.png(icons.render(size, maskable)), manifest)
    (staging / "favicon.ico").write_bytes(icons.ico(icons.png(icons.render(32)), 32))
    _write(staging, "manifest.webmanifest", _webmanifest(manifest), manifest)
    version = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:12]
    shell = [PREFIX + manifest[n] for n in ("app.css", "app.js", "htmx.js", "icon-192.png")]
    worker = (source / "sw.js").read_text(encoding="utf-8")
    worker = worker.replace("__VERSION__", version).replace("__SHELL__", json.dumps(shell))
    (staging / "sw.js").write_text(worker, encoding="utf-8")
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    url.cache_clear()
    return BuildReport(manifest, out)


def _webmanifest(manifest: dict[str, str]) -> bytes:
    def icon(name: str, size: int, purpose: str, kind: str = "image/png") -> dict[str, str]:
        return {
            "src": PREFIX + manifest[name],
            "sizes": f"{size}x{size}" if size else "any",
            "type": kind,
            "purpose": purpose,
        }

    data = {
        "name": "homeledger",
        "short_name": "homeledger",
        "description": "Household finances: accounts, transactions, budgets.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            icon("icon.svg", 0, "any", "image/svg+xml"),
            icon("icon-192.png", 192, "any"),
            icon("icon-512.png", 512, "any"),
            icon("icon-maskable-512.png", 512, "maskable"),
        ],
    }
    return json.dumps(data, indent=2).encode()


def _load(dist: Path) -> dict[str, str]:
    try:
        data: dict[str, str] = json.loads((dist / "manifest.json").read_text())
    except FileNotFoundError:
        raise AssetsNotBuilt(
            "static assets are not built: run `npm ci` and `homeledger assets build`"
        ) from None
    return data


class _Manifest:
    """manifest.json, re-read when a build replaces it (cheap: one stat per lookup)."""

    def __init__(self, dist: Path) -> None:
        self.dist = dist
        self.mtime = -1.0
        self.entries: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        try:
            mtime = (self.dist / "manifest.json").stat().st_mtime
        except FileNotFoundError:
            mtime = -1.0
        if mtime != self.mtime or not self.entries:
            self.entries, self.mtime = _load(self.dist), mtime
        try:
            return PREFIX + self.entries[name]
        except KeyError:
            raise AssetsNotBuilt(f"no asset named {name!r}; rebuild the assets") from None

    def cache_clear(self) -> None:
        self.mtime = -1.0


url = _Manifest(DIST)
