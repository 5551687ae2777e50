"""The portal's WSGI application with one more route, `/bench/bare/`: a bare Django view (no database,
no template) served by the same workers, settings and middleware, the reference the benchmarks compare
each page's CPU against. Used only by the benchmark scripts (`gunicorn bench.bare_wsgi`)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.ROOT_URLCONF = "bench.bare_urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
