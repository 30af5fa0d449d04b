"""File storage behaves the same on a local directory and on an S3 API (moto server)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from tests.ops.conftest import S3

from homeledger.kit.storage import (
    InvalidKey,
    LocalStorage,
    S3Storage,
    Storage,
    storage_from_url,
)


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return storage_from_url(f"file://{tmp_path}/files", tmp_path)
    bucket: S3 = request.getfixturevalue("s3")
    return storage_from_url(bucket.storage_url, tmp_path, bucket.endpoint_url)


def test_put_get_list_delete_round_trip(storage: Storage) -> None:
    storage.put("receipts/h1/a.jpg", b"\xff\xd8 jpeg bytes")
    storage.put("exports/h1/report.csv", io.BytesIO(b"date,amount\n2025-01-01,1.00\n"))
    assert storage.exists("receipts/h1/a.jpg")
    assert not storage.exists("receipts/h1/missing.jpg")
    assert storage.get("receipts/h1/a.jpg") == b"\xff\xd8 jpeg bytes"
    with storage.open("exports/h1/report.csv") as stream:
        assert stream.read().startswith(b"date,amount")
    assert [(o.key, o.size) for o in storage.list()] == [
        ("exports/h1/report.csv", 28),
        ("receipts/h1/a.jpg", 13),
    ]
    assert [o.key for o in storage.list("receipts/")] == ["receipts/h1/a.jpg"]
    storage.delete("receipts/h1/a.jpg")
    storage.delete("receipts/h1/a.jpg")  # deleting what is gone is fine
    assert [o.key for o in storage.list()] == ["exports/h1/report.csv"]
    with pytest.raises(FileNotFoundError), storage.open("receipts/h1/a.jpg"):
        pass
    storage.check()


def test_large_objects_stream_in_and_out(storage: Storage, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    block = bytes(range(256)) * 4096  # 1 MiB
    with source.open("wb") as out:
        for _ in range(12):
            out.write(block)
    with source.open("rb") as stream:
        storage.put("backups/big.bin", stream)  # multipart on S3
    read = 0
    with storage.open("backups/big.bin") as stream:
        while chunk := stream.read(256 * 1024):
            assert chunk == block[read % len(block) : read % len(block) + len(chunk)]
            read += len(chunk)
    assert read == 12 * len(block)


@pytest.mark.parametrize("key", ["", "/etc/passwd", "../outside", "a/../../b", "a//b", "a\\b"])
def test_keys_that_could_leave_the_store_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(InvalidKey):
        storage.put(key, b"x")


def test_settings_choose_the_store(tmp_path: Path, s3: S3) -> None:
    assert isinstance(storage_from_url(None, tmp_path), LocalStorage)
    local = storage_from_url(None, tmp_path)
    local.put("a/b.txt", b"1")
    assert (tmp_path / "files" / "a" / "b.txt").read_bytes() == b"1"
    remote = storage_from_url(f"{s3.storage_url}/tenant-a", tmp_path, s3.endpoint_url)
    assert isinstance(remote, S3Storage)
    remote.put("x.txt", b"2")
    listed = s3.client().list_objects_v2(Bucket=s3.bucket)["Contents"]  # type: ignore[attr-defined]
    assert [item["Key"] for item in listed] == ["tenant-a/x.txt"]
    with pytest.raises(ValueError, match="unknown scheme"):
        storage_from_url("ftp://host/dir", tmp_path)


def test_check_fails_for_a_missing_bucket(s3: S3, tmp_path: Path) -> None:
    missing = storage_from_url("s3://no-such-bucket-here", tmp_path, s3.endpoint_url)
    with pytest.raises(ClientError, match=r"404|Not Found|NoSuchBucket"):
        missing.check()
