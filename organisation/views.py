from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .auth import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "organisation/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        from django.conf import settings

        return {**super().get_context_data(**kwargs), "oidc_enabled": settings.OIDC_ENABLED}


@require_POST
def logout_view(request):
    auth.logout(request)
    messages.info(request, _("Đã đăng xuất."))
    return redirect("home")
