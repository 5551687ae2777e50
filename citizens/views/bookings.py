"""Desk appointments: booking a slot, the citizen's bookings, cancelling, the desk's day."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organisation.errors import DomainError, NotAllowed, ValidationFailed
from organisation.models import Desk

from .. import forms as f
from .. import selectors, services
from ..models import Booking, Slot
from .common import fail


def _day(raw: str | None, default: date | None = None) -> date | None:
    try:
        return parse_date(raw or "") or default
    except ValueError:
        return default


@require_http_methods(["GET", "POST"])
def booking(request):
    """Choose an agency and a day, then a slot with free places; book it."""
    agencies = selectors.bookable_agencies()
    code = request.GET.get("co-quan") or request.POST.get("agency") or ""
    agency = agencies.filter(code=code).first() if code else None
    if agency is None and len(agencies) == 1:
        agency = agencies.first()
    today = timezone.localdate()
    day = _day(request.GET.get("ngay") or request.POST.get("day"), today)
    initial = {}
    if request.user.is_authenticated:
        p = selectors.profile_for(request.user)
        initial = {"name": p.full_name, "phone": p.phone, "email": p.email}
    form = f.BookingForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            slot = Slot.objects.select_related("desk", "desk__agency").filter(pk=d["slot"]).first()
            from procedures.models import Procedure

            procedure = Procedure.objects.filter(code=(d.get("procedure") or "").strip()).first()
            try:
                if slot is None:
                    raise ValidationFailed(_("Không có khung giờ này."), fields={"slot": [_("Không có khung giờ này.")]})
                made = services.book_slot(slot, citizen=request.user, name=d.get("name", ""),
                                          phone=d.get("phone", ""), email=d.get("email", ""), procedure=procedure)
            except DomainError as exc:
                status = fail(form, exc)
            else:
                when = timezone.localtime(made.slot.start).strftime("%H:%M %d/%m/%Y")
                messages.success(request, _("Đã đặt lịch hẹn lúc %(when)s tại %(desk)s. Ông/bà sẽ nhận tin nhắc "
                                            "trước một ngày.") % {"when": when, "desk": made.slot.desk.name})
                if request.user.is_authenticated:
                    return redirect("citizens:my_bookings")
                return redirect(f"{reverse('citizens:booking')}?co-quan={made.slot.desk.agency.code}"
                                f"&ngay={timezone.localtime(made.slot.start).date():%Y-%m-%d}")
    slots = list(selectors.open_slots(agency=agency, day=day)) if agency is not None else []
    days = [today + timedelta(days=i) for i in range(0, 14)]
    return render(request, "citizens/booking.html", {
        "agencies": agencies, "agency": agency, "day": day, "days": days, "slots": slots, "form": form,
        "selected_slot": str(request.POST.get("slot", "")),
    }, status=status)


@login_required
@require_GET
def my_bookings(request):
    return render(request, "citizens/my_bookings.html", {"bookings": list(selectors.my_bookings(request.user)),
                                                         "now": timezone.now()})


@require_POST
def booking_cancel(request, pk):
    found = Booking.objects.select_related("slot", "slot__desk").filter(pk=pk).first()
    if found is None:
        raise Http404
    try:
        services.cancel_booking(found, actor=request.user, phone=request.POST.get("phone", ""))
    except NotAllowed:
        raise Http404 from None
    messages.success(request, _("Đã hủy lịch hẹn."))
    back = request.POST.get("next") or ""
    if back.startswith("/cong-dan/"):
        return redirect(back)
    return redirect("citizens:my_bookings" if request.user.is_authenticated else "citizens:booking")


@login_required
@require_http_methods(["GET", "POST"])
def desk_bookings(request):
    """The desk's day: the slots and who booked them, for desk officers of the agency."""
    agencies = selectors.desk_agencies(request.user)
    if not agencies.exists():
        raise Http404
    code = request.GET.get("co-quan") or request.POST.get("agency") or ""
    agency = agencies.filter(code=code).first() or agencies.first()
    day = _day(request.GET.get("ngay"), timezone.localdate())
    desks = Desk.objects.filter(agency=agency).order_by("name")
    form = f.SlotsForm(request.POST or None, desks=desks, initial={"day": day})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                made = services.create_slots(desk=d["desk"], day=d["day"], start=d["start"], end=d["end"],
                                             minutes=d["minutes"], capacity=d["capacity"])
            except DomainError as exc:
                status = fail(form, exc)
            else:
                messages.success(request, _("Đã tạo %(n)d khung giờ.") % {"n": len(made)})
                return redirect(f"{reverse('citizens:desk_bookings')}?co-quan={agency.code}&ngay={d['day']:%Y-%m-%d}")
    return render(request, "citizens/desk_bookings.html", {
        "agencies": agencies, "agency": agency, "day": day, "form": form,
        "slots": list(selectors.day_slots(agency, day)), "bookings": list(selectors.day_bookings(agency, day)),
        "prev_day": day - timedelta(days=1), "next_day": day + timedelta(days=1),
    }, status=status)
