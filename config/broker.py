"""The Celery broker's transport: kombu's Redis transport, keeping one redis-py client per channel.

kombu's Redis channel makes a new `redis.Redis` client for every message it publishes (`conn_or_acquire`
without a client): the client shares the channel's connection pool, so no new connection, but a redis-py
client builds its table of ~200 response callbacks when it is made, ~0.1-0.3 ms of a request's CPU per
publish (an intake publishes its notices once, on commit). This channel keeps the client it made for its
current pool (thread-safe, a thin handle on the pool; a new one when the channel replaces its pool after a
fork or a disconnect), exactly as `config.cache` does for the cache. The consumer's asynchronous clients
are kombu's own. Selected by `CELERY_BROKER_TRANSPORT` (config/settings/base.py) for a `redis://` broker.
"""

from __future__ import annotations

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    _sync_client = None

    def _create_client(self, asynchronous=False):
        if asynchronous:
            return super()._create_client(asynchronous=True)
        pool = self.pool
        client = self._sync_client
        if client is None or client.connection_pool is not pool:
            client = self._sync_client = super()._create_client()
        return client


class Transport(kombu_redis.Transport):
    Channel = Channel
