import pytest

from signing import pki, signer


@pytest.fixture
def demo_pki(tmp_path_factory):
    """A demo CA and signer written once per test session's directory."""
    directory = tmp_path_factory.mktemp("pki")
    ca, p12 = pki.write_demo(directory, "pw-test")
    return ca, p12


@pytest.fixture
def signing_on(settings, demo_pki):
    ca, p12 = demo_pki
    settings.SIGNING_PKCS12_PATH = str(p12)
    settings.SIGNING_PKCS12_PASSWORD = "pw-test"
    settings.SIGNING_TRUST_ROOTS = [str(ca)]
    signer.reset_cache()
    yield demo_pki
    signer.reset_cache()
