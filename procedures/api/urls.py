"""API v1 routes of the procedures app."""

urlpatterns: list = []
