"""API v1 routes of the notices app."""

urlpatterns: list = []
