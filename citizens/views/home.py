"""The pages a visitor lands on first: the home page, the portal's front door and the public look-up."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from organisation.errors import DomainError
from organisation.net import client_ip

from .. import forms as f
from .. import selectors
from ..errors import TooManyAttempts
from ..lookup import find_dossier
from .common import error_status


@require_GET
def front_page(request):
    """The home page: the catalogue search, the dossier look-up box and the procedures most used at the
    citizen's commune (the province's when it is not known); the worklist link for staff."""
    from organisation.models import Agency
    from organisation.selectors import user_roles

    roles = user_roles(request.user) if request.user.is_authenticated else set()
    commune_id = None if roles else selectors.home_commune_id(request.user)
    commune = Agency.objects.filter(pk=commune_id).only("name").first() if commune_id else None
    return render(request, "home.html", {
        "roles": roles, "lookup_form": f.LookupForm(), "commune": commune,
        "popular": selectors.popular_procedures(commune_id),
    })


@require_GET
def portal(request):
    """The citizens' front door: what can be done online, and their own things when signed in."""
    context = {}
    if request.user.is_authenticated:
        context = {
            "dossiers": list(selectors.my_dossier_list(request.user)[:5]),
            "drafts": list(selectors.drafts_of(request.user)[:5]),
        }
    return render(request, "citizens/portal.html", context)


@require_http_methods(["GET", "POST"])
def lookup(request):
    """Look a dossier up by its code and the phone's last four digits. The secret travels in a POST body
    (never in a URL); `?code=` (the QR code on the receipt) prefills the code."""
    form = f.LookupForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    context = {"form": form}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                found = find_dossier(form.cleaned_data["code"], form.cleaned_data["secret"], client_ip(request),
                                     read=selectors.lookup_read)
            except DomainError as exc:
                form.add_error(None, str(exc.detail))
                status = error_status(exc) if isinstance(exc, TooManyAttempts) else 404
            else:
                status = 200
                context.update(result=selectors.lookup_payload(found), secret=form.cleaned_data["secret"],
                               looked_up=form.cleaned_data["code"].strip().upper())
                if context["result"]["can_rate"]:
                    context["rating_form"] = f.RatingForm()
    return render(request, "citizens/lookup.html", context, status=status)
