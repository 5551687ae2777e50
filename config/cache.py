"""The portal's cache: Redis, and a per-process memory when Redis does not answer.

Nothing the portal keeps in the cache is the only copy of anything (calendars are rebuilt from the
database, counters start again), so a Redis outage must cost speed, never a 500. `ResilientRedisCache`
is Django's RedisCache with a circuit breaker:

- a call that meets a connection error or a time-out is served by a local-memory cache of this
  process instead, and the breaker opens: for `RETRY_AFTER` seconds every call goes straight to the
  local cache, so no request waits on a dead Redis's time-out;
- after the back-off the next call tries Redis again. If Redis answers, the breaker closes: first every
  key this process wrote while Redis was away is deleted from Redis (Redis missed those writes, so its
  copy may be older than what the process saw), then the local memory is emptied, so the next outage
  does not start from values left by the last one;
- short socket time-outs and no retries inside redis-py, so a Redis that takes the connection and then
  goes silent costs one second, once per back-off.

The breaker's state and the local memory are per process (shared by its threads, as Django gives each
thread its own backend object). While the breaker is open a process's counters and cached values are
its own: rate limits count per process, and whatever must be the same everywhere (the calendar
version) asks the database instead (`is_degraded()`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from django.core.cache import cache as default_cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

log = logging.getLogger(__name__)


def _redis_errors() -> tuple[type[Exception], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


@dataclass
class _Breaker:
    """One per Redis location and process: open until `retry_at` (monotonic), or closed."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    probe: threading.Lock = field(default_factory=threading.Lock)  # one thread asks Redis; the others go on
    open: bool = False
    retry_at: float = 0.0
    dirty: set[str] = field(default_factory=set)  # Redis keys written locally while open
    cleared: bool = False  # clear() was called while open
    trips: int = 0


_breakers: dict[str, _Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str) -> _Breaker:
    with _breakers_lock:
        return _breakers.setdefault(location, _Breaker())


class _OneClientPerPool(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool instead of making one
    for every cache call: a redis-py client builds its table of ~200 response callbacks when it is made
    (~0.1-0.3 ms of CPU), and an API request makes one to two cache calls. A client is a thin handle on
    its pool (thread-safe, and the pool reconnects after a fork), so keeping it changes nothing else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache that falls back to a per-process local memory while Redis does not answer.

    OPTIONS (besides redis-py's connection options): RETRY_AFTER, seconds of back-off before Redis
    is tried again (default 5); FALLBACK_MAX_ENTRIES, the local memory's size (default 5000).
    """

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 5.0))
        max_entries = int(options.pop("FALLBACK_MAX_ENTRIES", 5000))
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        if "retry" not in options:
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            options["retry"] = Retry(NoBackoff(), 0)  # the breaker, not redis-py, decides when to try again
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = _OneClientPerPool
        location = server if isinstance(server, str) else ",".join(server)
        self._breaker = _breaker_for(location)
        self._errors = _redis_errors()
        local = {k: v for k, v in params.items() if k in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")}
        local["OPTIONS"] = {"MAX_ENTRIES": max_entries, "CULL_FREQUENCY": 3}
        # LocMemCache instances of one name share their memory: every thread of the process sees one.
        self._local = LocMemCache(f"motcua-fallback:{location}", local)

    # --- the breaker ----------------------------------------------------------------------------

    @property
    def degraded(self) -> bool:
        """True while Redis is being bypassed (until the next successful call after the back-off)."""
        return self._breaker.open

    def _trip(self, exc: Exception) -> None:
        b = self._breaker
        with b.lock:
            if not b.open:
                b.trips += 1
                log.warning("cache: Redis unavailable (%s: %s); using this process's memory for %.0f s",
                            type(exc).__name__, exc, self.retry_after)
            b.open = True
            b.retry_at = time.monotonic() + self.retry_after

    def _try_close(self) -> bool:
        """After the back-off: replay what Redis missed (deletions), then close. False if still down.

        One thread of the process asks Redis; the others keep using the local memory meanwhile.
        """
        b = self._breaker
        if not b.open:
            return True
        if time.monotonic() < b.retry_at or not b.probe.acquire(blocking=False):
            return False
        try:
            with b.lock:
                dirty, cleared = list(b.dirty), b.cleared
            try:
                client = self._cache.get_client(None, write=True)
                if cleared:
                    client.flushdb()
                elif dirty:
                    client.delete(*dirty)
                else:
                    client.ping()
            except self._errors as exc:
                with b.lock:
                    b.retry_at = time.monotonic() + self.retry_after
                log.debug("cache: Redis still unavailable (%s)", exc)
                return False
            with b.lock:
                rest = b.dirty.difference(dirty)  # written by other threads while this one asked Redis
                if rest:
                    try:
                        client.delete(*rest)
                    except self._errors:
                        b.retry_at = time.monotonic() + self.retry_after
                        return False
                b.open, b.dirty, b.cleared = False, set(), False
                self._local.clear()
            log.warning("cache: Redis is back; %s key(s) written meanwhile invalidated", len(dirty))
            return True
        finally:
            b.probe.release()

    def _call(self, name: str, args: tuple, written=None, version=None):
        """Run `name` on Redis, or on the local memory while the breaker is open or when Redis fails.

        `written`: the keys the call writes, remembered while Redis is away and deleted from it on return.
        """
        if not self._breaker.open or self._try_close():
            try:
                return getattr(super(), name)(*args)
            except self._errors as exc:
                self._trip(exc)
        if written:
            keys = [self.make_and_validate_key(k, version=version) for k in written]
            with self._breaker.lock:
                self._breaker.dirty.update(keys)
        return getattr(self._local, name)(*args)

    # --- the cache API --------------------------------------------------------------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", (key, value, timeout, version), [key], version)

    def get(self, key, default=None, version=None):
        return self._call("get", (key, default, version))

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", (key, value, timeout, version), [key], version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", (key, timeout, version), [key], version)

    def delete(self, key, version=None):
        return self._call("delete", (key, version), [key], version)

    def get_many(self, keys, version=None):
        return self._call("get_many", (keys, version))

    def has_key(self, key, version=None):
        return self._call("has_key", (key, version))

    def incr(self, key, delta=1, version=None):
        return self._call("incr", (key, delta, version), [key], version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", (data, timeout, version), list(data), version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", (keys, version), list(keys), version)

    def clear(self):
        if not self._breaker.open or self._try_close():
            try:
                return super().clear()
            except self._errors as exc:
                self._trip(exc)
        with self._breaker.lock:
            self._breaker.cleared = True
        return self._local.clear()


def is_degraded(cache=None) -> bool:
    """True while the (default) cache is serving from this process's memory instead of Redis."""
    return bool(getattr(cache or default_cache, "degraded", False))
