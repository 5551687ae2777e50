"""API v1 routes of the citizens app."""

urlpatterns: list = []
