FROM python:3.11-slim-bookworm
# WeasyPrint needs Pango; fonts for the printed forms ship in static/fonts.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext \
    && rm -rf /var/lib/apt/lists/*
# The portal runs as an unprivileged user; only /data (uploads when no object store) is writable by it.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin motcua \
    && mkdir -p /data/media /app/var && chown -R motcua /data /app/var
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY . .
# Hashed static names and their manifest, built with the production storage (no database is touched).
RUN DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY=build-only DATABASE_URL=postgres://build/none \
    REDIS_URL=redis://build:6379/0 python manage.py collectstatic --noinput -v 0
USER motcua
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000"]
