"""Rate limits count per window, in memory and in Redis, and fail open when Redis is
unreachable (readiness reports Redis down; the API keeps answering)."""

from __future__ import annotations

import os
import socket
import uuid

from homeledger.kit.ratelimit import MemoryLimiter, RedisLimiter


def test_memory_limiter_allows_up_to_the_limit() -> None:
    limiter = MemoryLimiter()
    assert [limiter.hit("k", 2) for _ in range(4)] == [True, True, False, False]
    assert limiter.hit("other", 2)


def test_redis_limiter_fails_open_when_redis_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens
    limiter = RedisLimiter(f"redis://127.0.0.1:{port}/0")
    assert all(limiter.hit("k", 1) for _ in range(3))


if os.environ.get("HOMELEDGER_TEST_REDIS_URL"):

    def test_redis_limiter_counts_in_redis() -> None:
        url = os.environ["HOMELEDGER_TEST_REDIS_URL"]
        key = uuid.uuid4().hex
        first, second = RedisLimiter(url), RedisLimiter(url)  # two app processes
        assert first.hit(key, 2)
        assert second.hit(key, 2)
        assert not first.hit(key, 2)
