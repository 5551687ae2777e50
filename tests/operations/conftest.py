from tests.dossiers.conftest import field_hotich, make_dossier, make_procedure, procedure  # noqa: F401
