"""Settings, read once from the environment (prefix ``HOMELEDGER_``).

The embedded default (SQLite under ``var/``, in-process jobs, local files) needs no
configuration. Production mode refuses unsafe settings and names each one.
"""

from __future__ import annotations

import base64
import hashlib
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - the refused default
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOMELEDGER_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    debug: bool = False
    database_url: str = "sqlite:///var/homeledger.db"
    database_replica_url: str | None = None
    data_dir: Path = Path("var")
    secret_key: str = DEFAULT_SECRET
    encryption_key: str | None = Field(
        default=None,
        description="Base64 of 32 bytes for AES-GCM field encryption; derived from the "
        "secret key when unset (development only).",
    )
    redis_url: str | None = None
    broker_url: str | None = None
    storage_url: str | None = Field(
        default=None,
        description="Where files live: 'file:///path' or 's3://bucket[/prefix]'; "
        "default: the 'files' directory under the data directory.",
    )
    s3_endpoint_url: str | None = None
    """Only for S3-compatible stores other than AWS (MinIO, moto)."""
    backup_key: str | None = Field(
        default=None,
        description="Base64 of 32 bytes: the AES-256-GCM key of backup archives; derived "
        "from the secret key when unset (development only).",
    )
    encryption_key_previous: str | None = None
    """The field key before a rotation; `homeledger keys rotate` re-encrypts from it."""
    job_queue: str = "homeledger"
    """The broker queue the Celery workers consume."""
    job_threads: int = 2
    """Threads of the in-process job runner (embedded mode, no broker)."""
    job_stale_seconds: float = 60.0
    """A running job whose heartbeat is older than this is taken over by another worker."""
    worker_metrics_port: int = 9100
    metrics_refresh_seconds: float = 30.0
    """How often a web process refreshes gauges read from the database (backup age)."""
    log_level: str = "INFO"
    log_json: bool = True
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    rate_limit_auth_per_minute: int = 20
    rate_limit_api_per_minute: int = 600
    cors_origins: list[str] = []

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def field_key(self) -> bytes:
        """The AES-GCM key for encrypted columns."""
        if self.encryption_key:
            key = base64.b64decode(self.encryption_key)
            if len(key) != 32:
                raise ValueError("HOMELEDGER_ENCRYPTION_KEY must be base64 of 32 bytes")
            return key
        # Development convenience: a key derived from the secret, so `make run` needs nothing.
        return hashlib.sha256(b"homeledger-field-key:" + self.secret_key.encode()).digest()

    def unsafe_settings(self) -> list[str]:
        """Every setting that production must not run with, each named."""
        if not self.is_production:
            return []
        problems = []
        if self.secret_key == DEFAULT_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH:
            problems.append(
                f"HOMELEDGER_SECRET_KEY is the default or shorter than {MIN_SECRET_LENGTH} "
                "characters"
            )
        if self.is_sqlite:
            problems.append("HOMELEDGER_DATABASE_URL is SQLite; production needs PostgreSQL")
        if self.debug:
            problems.append("HOMELEDGER_DEBUG is on")
        if not self.encryption_key:
            problems.append("HOMELEDGER_ENCRYPTION_KEY is not set")
        return problems


class UnsafeSettingsError(RuntimeError):
    """Production mode was asked to start with unsafe settings."""


def check_production(settings: Settings) -> None:
    problems = settings.unsafe_settings()
    if problems:
        raise UnsafeSettingsError("refusing to start in production: " + "; ".join(problems))


@lru_cache
def get_settings() -> Settings:
    return Settings()
