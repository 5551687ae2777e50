"""API v1 routes of the reporting app."""

urlpatterns: list = []
