"""Satisfaction ratings: on the citizen's dossier page, with the look-up pair, at the desk's kiosk."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from organisation.errors import DomainError, NotFound
from organisation.net import client_ip

from .. import forms as f
from .. import selectors, services
from ..lookup import find_dossier
from .common import error_status, fail
from .submission import own_dossier_or_404, render_dossier


@login_required
@require_POST
def rate(request, ref):
    current = own_dossier_or_404(request, ref, detail=True)
    form = f.RatingForm(request.POST)
    if not form.is_valid():
        return render_dossier(request, current, rating_form=form, status=400)
    try:
        services.rate_own_dossier(citizen=request.user, dossier=current, **form.cleaned_data)
    except DomainError as exc:
        if exc.code == "already_rated":
            messages.error(request, str(exc.detail))
            return redirect("citizens:dossier", current.reference)
        status = fail(form, exc)
        return render_dossier(request, current, rating_form=form, status=status)
    messages.success(request, _("Cảm ơn ông/bà đã đánh giá."))
    return redirect("citizens:dossier", current.reference)


@require_POST
def lookup_rate(request):
    """Rate a finished dossier with the look-up pair, no account needed."""
    lookup_form = f.LookupForm(request.POST)
    form = f.RatingForm(request.POST)
    if not lookup_form.is_valid():
        return redirect("citizens:lookup")
    code, secret = lookup_form.cleaned_data["code"], lookup_form.cleaned_data["secret"]
    context = {"form": lookup_form, "secret": secret}
    try:
        found = find_dossier(code, secret, client_ip(request), read=selectors.lookup_read)
    except DomainError as exc:
        lookup_form.add_error(None, str(exc.detail))
        return render(request, "citizens/lookup.html", context, status=error_status(exc) if exc.status_code == 429
                      else 404)
    context["result"] = selectors.lookup_payload(found)
    if not form.is_valid():
        context["rating_form"] = form
        return render(request, "citizens/lookup.html", context, status=400)
    try:
        services.rate_dossier(found, source="lookup", **form.cleaned_data)
    except DomainError as exc:
        if exc.code == "already_rated":
            context["rating_message"] = str(exc.detail)
            context["result"] = selectors.lookup_payload(found)
            return render(request, "citizens/lookup.html", context, status=409)
        context["rating_form"] = form
        return render(request, "citizens/lookup.html", context, status=fail(form, exc))
    context["result"] = selectors.lookup_payload(selectors.lookup_queryset().get(pk=found.pk))
    context["rating_message"] = _("Cảm ơn ông/bà đã đánh giá.")
    return render(request, "citizens/lookup.html", context)


@require_http_methods(["GET", "POST"])
def kiosk(request, agency_code):
    """The rating kiosk at the desk: large buttons, no login; it asks about the dossier the desk has just
    closed and waits (refreshing itself) when there is none."""
    try:
        agency = selectors.kiosk_agency(agency_code)
    except NotFound:
        raise Http404 from None
    status = 200
    context = {"agency": agency, "choices": f.RatingForm()}
    if request.method == "POST":
        form = f.RatingForm(request.POST)
        if form.is_valid():
            try:
                services.rate_at_kiosk(agency=agency, dossier_id=request.POST.get("dossier"), **form.cleaned_data)
            except DomainError as exc:
                context["message"] = str(exc.detail)
                status = error_status(exc)
            else:
                return render(request, "citizens/kiosk_thanks.html", {"agency": agency})
        else:
            context["message"] = _("Vui lòng chọn mức độ hài lòng.")
            status = 400
    current = selectors.kiosk_dossier(agency)
    context["dossier"] = current
    if current is not None:
        context["masked_name"] = selectors.masked_name(current.applicant_name)
    return render(request, "citizens/kiosk.html", context, status=status)
