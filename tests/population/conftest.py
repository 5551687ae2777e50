import pytest

from population.standin import StandInPopulation


@pytest.fixture
def population(settings):
    """The stand-in population database on a free port, and the portal configured to use it."""
    server = StandInPopulation(settings.POPULATION_API_TOKEN).start()
    settings.POPULATION_SERVICE_URL = server.url
    settings.POPULATION_TIMEOUT = 1
    yield server
    server.stop()
