"""File storage for receipts, exports and backups: a local directory (one machine) or
any S3-compatible store (boto3). Both stream: memory stays flat whatever the size.

Keys are relative slash-separated paths ("receipts/<household>/<id>.jpg"); a key that
could escape the store (absolute, "..", backslashes) is refused."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlparse

from homeledger.config import Settings

CHUNK = 1024 * 1024


class StorageError(RuntimeError):
    """The store refused or could not be reached."""


class InvalidKey(ValueError):
    """A key that is empty or could leave the store."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: datetime


def check_key(key: str) -> str:
    parts = key.split("/")
    if (
        not key
        or key.startswith("/")
        or "\\" in key
        or "\x00" in key
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise InvalidKey(f"invalid storage key {key!r}")
    return key


class Storage(Protocol):
    def put(self, key: str, source: IO[bytes] | bytes) -> None:
        """Stores `source` (bytes or a binary file read to its end) under `key`."""
        ...

    @contextmanager
    def open(self, key: str) -> Iterator[IO[bytes]]:
        """A binary stream of the object; FileNotFoundError when there is none."""
        ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None:
        """Removes the object; nothing happens when there is none."""
        ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        """Every object whose key starts with `prefix`, in key order."""
        ...

    def check(self) -> None:
        """Raises when the store cannot be written (readiness)."""
        ...

    def describe(self) -> str: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, source: IO[bytes] | bytes) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed: readers never see half a file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                if isinstance(source, bytes):
                    out.write(source)
                else:
                    shutil.copyfileobj(source, out, CHUNK)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @contextmanager
    def open(self, key: str) -> Iterator[IO[bytes]]:
        with self._path(key).open("rb") as handle:
            yield handle

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        if not self.root.is_dir():
            return
        found: list[StoredObject] = []
        for directory, _, files in os.walk(self.root):
            for name in files:
                if name.startswith(".upload-"):
                    continue
                path = Path(directory) / name
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    stat = path.stat()
                    modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                    found.append(StoredObject(key, stat.st_size, modified))
        yield from sorted(found, key=lambda item: item.key)

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=self.root, prefix=".upload-ready-")
        os.close(handle)
        os.unlink(probe)

    def describe(self) -> str:
        return f"file://{self.root.resolve()}"


class S3Storage:
    def __init__(
        self, bucket: str, prefix: str = "", endpoint_url: str | None = None, client: Any = None
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url
        self.client = client if client is not None else self._client(3, 30, 3)
        self._probe: Any = client

    def _client(self, connect_timeout: float, read_timeout: float, attempts: int) -> Any:
        import boto3
        from botocore.config import Config

        config = Config(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"max_attempts": attempts, "mode": "standard"},
        )
        return boto3.client("s3", endpoint_url=self.endpoint_url, config=config)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, source: IO[bytes] | bytes) -> None:
        import io

        body = io.BytesIO(source) if isinstance(source, bytes) else source
        # upload_fileobj streams large bodies as a multipart upload.
        self.client.upload_fileobj(body, self.bucket, self._key(key))

    @contextmanager
    def open(self, key: str) -> Iterator[IO[bytes]]:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(key) from None
            raise
        body = response["Body"]
        try:
            yield body
        finally:
            body.close()

    def get(self, key: str) -> bytes:
        with self.open(key) as body:
            data: bytes = body.read()
            return data

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise
        return True

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for item in page.get("Contents", []):
                key = item["Key"][len(self.prefix) :]
                modified = item["LastModified"]
                yield StoredObject(key, int(item["Size"]), modified.astimezone(UTC))

    def check(self) -> None:
        # Its own client with short timeouts and one attempt: a readiness probe must
        # answer within its deadline, not retry for half a minute.
        if self._probe is None:
            self._probe = self._client(2, 2, 1)
        self._probe.head_bucket(Bucket=self.bucket)

    def describe(self) -> str:
        where = f" at {self.endpoint_url}" if self.endpoint_url else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"


def storage_from_url(url: str | None, data_dir: Path, endpoint_url: str | None = None) -> Storage:
    if not url:
        return LocalStorage(data_dir / "files")
    parsed = urlparse(url)
    if parsed.scheme == "file":
        # file:///abs/path, or file://relative/path (relative to the working directory)
        return LocalStorage(Path(parsed.netloc + parsed.path))
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ValueError("HOMELEDGER_STORAGE_URL s3://BUCKET[/PREFIX] needs a bucket")
        return S3Storage(parsed.netloc, parsed.path, endpoint_url)
    raise ValueError(f"HOMELEDGER_STORAGE_URL: unknown scheme {parsed.scheme!r} (file:// or s3://)")


def make_storage(settings: Settings) -> Storage:
    return storage_from_url(settings.storage_url, settings.data_dir, settings.s3_endpoint_url)
