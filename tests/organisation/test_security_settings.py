"""Issue 9, row 13: production settings refuse to start without their services, pass `check --deploy`,
and every page carries a Content-Security-Policy that its templates keep to (nonced inline tags only)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
PROD_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/motcua_prod_check",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "motcua.example.vn",
}


def run_prod(code: str, **env):
    environment = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.prod", **env})
    return subprocess.run([sys.executable, "-c", code], cwd=BASE, env=environment, capture_output=True, text=True,
                          timeout=120)


# Not from the test process: the service variables are set per case, and the browser tests set
# DJANGO_ALLOW_ASYNC_UNSAFE in this process, which a deployment must not have.
NOT_INHERITED = {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TRUSTED_PROXY_COUNT", "SECURE_SSL_REDIRECT",
                 "SECURE_HSTS_SECONDS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"}

SETUP = "import django; django.setup(); from django.conf import settings; "


@pytest.mark.parametrize("missing", [("SECRET_KEY", "DATABASE_URL", "REDIS_URL"), ("REDIS_URL",)])
def test_production_refuses_to_start_without_its_services(missing):
    env = {k: v for k, v in PROD_ENV.items() if k not in missing}
    result = run_prod(SETUP + "print('started')", **env)
    assert result.returncode != 0 and "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    message = result.stderr.strip().splitlines()[-1]
    for name in missing:
        assert name in message
    for name in set(PROD_ENV) - set(missing) - {"ALLOWED_HOSTS"}:
        assert name not in message


def test_check_deploy_is_clean():
    environment = {**{k: v for k, v in os.environ.items() if k not in NOT_INHERITED}, **PROD_ENV}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
                             "--settings=config.settings.prod"], cwd=BASE, env=environment, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_https_settings_and_the_proxy_header_only_behind_trusted_proxies():
    show = SETUP + ("print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS > 0, "
                    "settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY, settings.CSRF_COOKIE_SECURE, "
                    "settings.CSRF_COOKIE_HTTPONLY, settings.SECURE_PROXY_SSL_HEADER)")
    direct = run_prod(show, **PROD_ENV)
    assert direct.stdout.split()[:7] == ["False"] + ["True"] * 6, direct.stderr
    assert direct.stdout.strip().endswith("None")  # X-Forwarded-Proto from a client is not believed
    behind = run_prod(show, TRUSTED_PROXY_COUNT="1", SECURE_SSL_REDIRECT="0", **PROD_ENV)
    assert behind.stdout.split()[1] == "False"
    assert "('HTTP_X_FORWARDED_PROTO', 'https')" in behind.stdout


@pytest.mark.django_db
def test_pages_carry_a_nonce_policy_and_use_its_nonce(client):
    response = client.get("/thu-tuc/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"]).group(1)
    assert f"'nonce-{nonce}'" in directives["style-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert nonce in response.content.decode()  # handed to htmx for anything it inserts
    # The API docs' inline script carries the request's nonce too.
    docs = client.get("/api/docs/")
    docs_nonce = re.search(r"'nonce-([^']+)'", docs["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{docs_nonce}">' in docs.content.decode()


# Printed forms are rendered to PDF by WeasyPrint, never served as pages.
PDF_ONLY = ("forms/", "reporting/report_pdf.html")


def test_templates_have_no_inline_handlers_styles_or_unnonced_tags():
    offenders = []
    for path in sorted((BASE / "templates").rglob("*.html")):
        rel = path.relative_to(BASE / "templates").as_posix()
        if rel.startswith(PDF_ONLY):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{rel}: inline event handler")
        if re.search(r"\sstyle\s*=", text):
            offenders.append(f"{rel}: style attribute")
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
            if "src=" not in tag and 'nonce="{{ request.csp_nonce }}"' not in tag:
                offenders.append(f"{rel}: {tag}")
    assert offenders == []
