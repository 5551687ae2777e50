"""Account pages: sign-up, the code, password reset, the profile, password change."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from organisation.errors import DomainError, ValidationFailed

from .. import forms as f
from .. import selectors, services
from ..errors import TooManyAttempts
from .common import error_status, fail


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("citizens:portal")
    form = f.SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                user = services.sign_up(full_name=d["full_name"], identifier=d["identifier"], password=d["password1"])
            except ValidationFailed as exc:
                if "password" in exc.fields:
                    exc.fields["password1"] = exc.fields.pop("password")
                status = fail(form, exc)
            except TooManyAttempts as exc:
                status = fail(form, exc)
            else:
                messages.success(request, _("Đã gửi mã xác thực. Vui lòng nhập mã để kích hoạt tài khoản."))
                return redirect(f"{reverse('citizens:verify')}?identifier={user.get_username()}")
    return render(request, "citizens/signup.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def verify(request):
    """Enter the code; or ask for a new one (button `resend`)."""
    initial = {"identifier": request.GET.get("identifier", "")}
    form = f.VerifyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if "resend" in request.POST:
            resend = f.ResendForm(request.POST)
            form = f.VerifyForm(initial={"identifier": request.POST.get("identifier", "")})
            if resend.is_valid():
                try:
                    services.resend_signup_code(resend.cleaned_data["identifier"])
                except DomainError as exc:
                    form.add_error(None, str(exc.detail))
                    status = error_status(exc)
                else:
                    messages.info(request, _("Nếu tài khoản đang chờ xác thực, mã mới đã được gửi."))
            return render(request, "citizens/verify.html", {"form": form}, status=status)
        status = 400
        if form.is_valid():
            try:
                services.verify_account(identifier=form.cleaned_data["identifier"], code=form.cleaned_data["code"])
            except DomainError as exc:
                status = fail(form, exc)
            else:
                messages.success(request, _("Tài khoản đã được kích hoạt. Mời ông/bà đăng nhập."))
                return redirect(f"{reverse('login')}?next={reverse('citizens:profile')}")
    return render(request, "citizens/verify.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = f.ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_password_reset(form.cleaned_data["identifier"])
        except ValidationFailed as exc:
            return render(request, "citizens/password_reset.html", {"form": form}, status=fail(form, exc))
        messages.info(request, _("Nếu tài khoản tồn tại, mã đặt lại mật khẩu đã được gửi."))
        identifier = form.cleaned_data["identifier"]
        return redirect(f"{reverse('citizens:password_reset_confirm')}?identifier={identifier}")
    return render(request, "citizens/password_reset.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request):
    form = f.ResetConfirmForm(request.POST or None, initial={"identifier": request.GET.get("identifier", "")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.reset_password(identifier=d["identifier"], code=d["code"], password=d["password1"])
            except DomainError as exc:
                if "password" in exc.fields:
                    exc.fields["password1"] = exc.fields.pop("password")
                status = fail(form, exc)
            else:
                messages.success(request, _("Đã đặt lại mật khẩu. Mời ông/bà đăng nhập."))
                return redirect("login")
    return render(request, "citizens/password_reset_confirm.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    current = selectors.profile_for(request.user)
    initial = {name: getattr(current, name) for name in services.PROFILE_FIELDS}
    form = f.ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_profile(request.user, **form.cleaned_data)
            except ValidationFailed as exc:
                status = fail(form, exc)
            else:
                messages.success(request, _("Đã lưu thông tin cá nhân. Thông tin này sẽ được điền sẵn vào các biểu mẫu."))
                return redirect("citizens:profile")
    return render(request, "citizens/profile.html", {"form": form, "profile": current}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Change one's own password; the session stays, the API tokens of the old password are revoked
    (`organisation.tokens`)."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import PasswordChangeForm

    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        update_session_auth_hash(request, form.save())
        messages.success(request, _("Đã đổi mật khẩu."))
        return redirect("citizens:profile")
    return render(request, "citizens/password_change.html", {"form": form}, status=400 if form.errors else 200)
