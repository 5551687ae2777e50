FROM python:3.11-slim-bookworm
# WeasyPrint needs Pango; fonts for the printed forms ship in static/fonts.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt
COPY . .
# Compressed copies (gzip, brotli) as production serves them: the base settings, not the demo's.
RUN DJANGO_SETTINGS_MODULE=config.settings.base python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000"]
