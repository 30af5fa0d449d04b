"""`homeledger assets ...`: build the web UI's static files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from homeledger.web import assets

app = typer.Typer(help="Build the web UI's static assets.", no_args_is_help=True)


@app.command()
def build(
    node_modules: Annotated[
        Path, typer.Option(help="Where `npm ci` installed the front-end packages.")
    ] = Path("node_modules"),
    out: Annotated[Path, typer.Option(help="Output folder (served under /static/).")] = assets.DIST,
) -> None:
    """Fingerprint htmx, ECharts and the app's own files into static/dist/."""
    try:
        report = assets.build(node_modules, out)
    except assets.AssetsNotBuilt as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    for name, hashed in sorted(report.files.items()):
        typer.echo(f"{name:28} -> {hashed}")
    typer.echo(f"{len(report.files)} assets in {report.out}")
