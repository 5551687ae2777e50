from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from citizens.login import LoginForm
from citizens.views import home
from operations.views import metrics
from organisation import health
from organisation import views as organisation_views

api_v1 = [
    path("", include("organisation.api.urls")),
    path("", include("procedures.api.urls")),
    path("", include("dossiers.api.urls")),
    path("", include("worktime.api.urls")),
    path("", include("notices.api.urls")),
    path("", include("citizens.api.urls")),
    path("", include("reporting.api.urls")),
    path("", include("assignments.api.urls")),
    path("", include("national.api.urls")),
]

urlpatterns = [
    path("", home.front_page, name="home"),
    path("healthz", health.HealthView.as_view(), name="healthz"),
    path("readyz", health.ReadyView.as_view(), name="readyz"),
    # Log-in by phone number or e-mail (citizens) or user name (staff): citizens.login.LoginForm.
    path("accounts/login/", organisation_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", organisation_views.logout_view, name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("thu-tuc/", include("procedures.urls")),
    path("ho-so/", include("dossiers.urls")),
    path("lich/", include("worktime.urls")),
    path("thong-bao/", include("notices.urls")),
    path("cong-dan/", include("citizens.urls")),
    path("bao-cao/", include("reporting.urls")),
    path("nhiem-vu/", include("assignments.urls")),
    path("thanh-toan/", include("payments.urls")),
    path("ky-so/", include("signing.urls")),
    path("buu-chinh/", include("postal.urls")),
    path("dong-bo-quoc-gia/", include("national.urls")),
    # Short public address of the dossier look-up (printed on receipts).
    path("tra-cuu/", RedirectView.as_view(pattern_name="citizens:lookup", query_string=True), name="lookup-short"),
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg", permanent=True)),
]

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The portal's own error pages (no debug page unless DEBUG is set): organisation/error_pages.py.
handler400 = "organisation.error_pages.bad_request"
handler403 = "organisation.error_pages.permission_denied"
handler404 = "organisation.error_pages.page_not_found"
handler500 = "organisation.error_pages.server_error"
