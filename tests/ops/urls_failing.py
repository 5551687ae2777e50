"""The portal's URLs plus one view that fails, to see the 500 page (tests only)."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def fails(request):
    raise RuntimeError("boom")


urlpatterns = [path("hong/", fails), path("api/v1/hong/", fails), *urlpatterns]
