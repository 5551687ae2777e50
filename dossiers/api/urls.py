"""API v1 routes of the dossiers app."""

urlpatterns: list = []
