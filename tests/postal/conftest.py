import pytest

from postal.standin import StandInPost


@pytest.fixture
def post(settings):
    """The stand-in postal service on an ephemeral port, and the portal configured to use it."""
    server = StandInPost(settings.POSTAL_API_TOKEN, settings.POSTAL_CALLBACK_SECRET).start()
    settings.POSTAL_SERVICE_URL = server.url
    settings.POSTAL_TIMEOUT = 2
    server.send_callbacks = False  # the test client serves no port: tests deliver the callbacks themselves
    yield server
    server.stop()
