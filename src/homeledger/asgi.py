"""The ASGI entry point for uvicorn and gunicorn: settings come from the environment."""

from homeledger.app import create_app

app = create_app()
