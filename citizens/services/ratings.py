"""Satisfaction ratings of finished dossiers: online, by look-up, at the kiosk."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dossiers.models import Dossier
from organisation.errors import ActionNotAllowed, ValidationFailed
from reporting.rollup import refresh_dossier as refresh_report_months

from ..models import (
    Attitude,
    Overall,
    Rating,
    TimeVsPromise,
    Visits,
)
from ..rules import RATABLE_STATUSES
from .common import record_complaint, require_own

RATING_SOURCES = ("online", "kiosk", "lookup")


def _clean_rating(values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {}
    for name, choices, required in (
        ("overall", Overall, True), ("time_vs_promise", TimeVsPromise, False), ("visits", Visits, False),
        ("attitude", Attitude, False),
    ):
        value = str(values.get(name) or "").strip()
        if not value:
            if required:
                errors[name] = [_("Vui lòng chọn mức độ hài lòng.")]
            clean[name] = ""
            continue
        if value not in choices.values:
            errors[name] = [_("Giá trị không hợp lệ. Chọn một trong: %(v)s.") % {"v": ", ".join(choices.values)}]
        clean[name] = value
    comment = str(values.get("comment") or "").strip()
    if len(comment) > 2000:
        errors["comment"] = [_("Góp ý dài tối đa 2.000 ký tự.")]
    clean["comment"] = comment
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return clean


def rate_dossier(dossier: Dossier, *, source: str = "online", **values) -> Rating:
    """The satisfaction rating of a finished dossier, once: a second one is 409 and changes nothing."""
    clean = _clean_rating(values)
    if dossier.status not in RATABLE_STATUSES:
        raise ActionNotAllowed(_("Chỉ đánh giá được hồ sơ đã giải quyết xong."), code="not_finished")
    if source not in RATING_SOURCES:
        source = "online"
    try:
        with transaction.atomic():
            if Rating.objects.filter(dossier_id=dossier.pk).exists():
                raise IntegrityError
            rating = Rating.objects.create(dossier_id=dossier.pk, source=source, **clean)
            if rating.overall == Overall.DISSATISFIED:
                record_complaint(dossier.pk, rating.created_at)
            refresh_report_months(dossier)  # the reports' monthly rows count the ratings of the dossiers received
            return rating
    except IntegrityError:
        raise ActionNotAllowed(_("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần."),
                               code="already_rated") from None


def rate_own_dossier(*, citizen, dossier: Dossier, **values) -> Rating:
    require_own(dossier, citizen)
    return rate_dossier(dossier, source="online", **values)


def rate_by_lookup(*, code: str, secret: str, client: str, **values) -> Rating:
    """Rating with the look-up pair (code and the phone's last four digits), no account needed."""
    from ..lookup import find_dossier

    dossier = find_dossier(code, secret, client)
    return rate_dossier(dossier, source="lookup", **values)


def rate_at_kiosk(*, agency, dossier_id, **values) -> Rating:
    """The kiosk rates only the dossier it is showing: the one the desk has just closed."""
    from ..selectors import kiosk_dossier

    current = kiosk_dossier(agency)
    if current is None or str(current.pk) != str(dossier_id):
        raise ActionNotAllowed(_("Phiên đánh giá đã kết thúc hoặc hồ sơ đã được đánh giá."), code="kiosk_expired")
    return rate_dossier(current, source="kiosk", **values)
