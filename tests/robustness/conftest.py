"""Fixtures of the robustness tests: the demo data (every kind of object in every state), loaded once per
test through the real seeders, and clients for the roles the hostile requests are sent as."""

import pytest
import time_machine
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token


def _seed():
    import importlib

    from organisation.management.commands.seed_demo import PARTS

    context: dict = {}
    for app in PARTS:
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError:
            continue
        context.update(module.seed(context) or {})
    return context


@pytest.fixture
def demo(db):
    """The demo organisation, catalogue, accounts and dossiers, as `seed_demo` loads them."""
    with time_machine.travel("2026-11-24 10:15 +0700", tick=False):
        return _seed()


@pytest.fixture
def bearer():
    """`bearer(username)`: the Authorization header value of that demo account."""

    def make(username: str) -> str:
        user = get_user_model().objects.get(username=username)
        token, _ = Token.objects.get_or_create(user=user)
        return f"Bearer {token.key}"

    return make


# The dossier tests' procedures and dossier factory, for the upload limits and repeated transitions.
from tests.dossiers.conftest import field_hotich, make_dossier, make_procedure, procedure  # noqa: E402, F401
