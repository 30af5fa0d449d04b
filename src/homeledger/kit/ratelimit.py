"""Fixed-window rate limits: in process for one machine, in Redis for many."""

from __future__ import annotations

import threading
import time
from typing import Protocol

import structlog

log = structlog.get_logger("homeledger.ratelimit")


class Limiter(Protocol):
    def hit(self, key: str, limit: int, window_seconds: int = 60) -> bool:
        """Count one hit; True while the key is within its limit for this window."""
        ...


class MemoryLimiter:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window_seconds: int = 60) -> bool:
        window = int(time.time() // window_seconds)
        with self._lock:
            if len(self._counts) > 100_000:  # old windows are dropped, memory stays bounded
                self._counts = {k: v for k, v in self._counts.items() if k[1] == window}
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
        return count <= limit


class RedisLimiter:
    def __init__(self, url: str) -> None:
        import redis  # optional dependency: only the production topology needs it

        self._redis = redis.Redis.from_url(url)

    def hit(self, key: str, limit: int, window_seconds: int = 60) -> bool:
        import redis

        window = int(time.time() // window_seconds)
        name = f"hl:rl:{key}:{window}"
        try:
            pipe = self._redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, window_seconds * 2)
            count, _ = pipe.execute()
        except redis.RedisError as error:
            # Fail open: an unreachable Redis must not take the whole API down; readiness
            # reports it (503) so the operator sees it.
            log.warning("rate limit check skipped: redis unavailable", error=type(error).__name__)
            return True
        return int(count) <= limit


def make_limiter(redis_url: str | None) -> Limiter:
    return RedisLimiter(redis_url) if redis_url else MemoryLimiter()
