"""Fixtures of the operations tests: the dossier fixtures of tests/dossiers and a redis-server of the test's own."""

from tests.dossiers.conftest import field_hotich, make_dossier, make_procedure, procedure  # noqa: F401

from .redis_server import own_redis  # noqa: F401
