"""API v1 routes of the worktime app."""

urlpatterns: list = []
