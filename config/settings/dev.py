"""The demo and local development: `make run`.

Debug pages only when DEBUG is set explicitly (`DEBUG=1 make run`): the demo is shown to visitors, and
a debug 404 lists every URL of the portal.
"""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", False)
# Static files straight from the source folders too, so `manage.py runserver` works before collectstatic.
WHITENOISE_USE_FINDERS = True
# Plain copies (no gzip/brotli pass over every file): `make run` starts in seconds; production compresses.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
