"""The public calendar API: what due time a dossier received now would get, and which days are working."""

import re

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from organisation.api.throttles import AnonRateThrottle
from worktime import explain
from worktime.clock import Unit
from worktime.selectors import calendar_days
from worktime.services import calendar_for, compute_appointment_for, format_sessions

from .serializers import AppointmentQuery, AppointmentSerializer, DaysQuery, DaysSerializer

# A "+" in an unencoded query string arrives as a space: "2026-11-23T09:30:00 07:00".
_SPACE_OFFSET = re.compile(r" (\d{2}(:?\d{2})?)$")


def _query(request):
    data = request.query_params.copy()
    received = data.get("received_at")
    if received:
        data["received_at"] = _SPACE_OFFSET.sub(r"+\1", received.strip())
    return data


class AppointmentView(APIView):
    """The appointment a dossier received at `received_at` would get, with the days skipped and why."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("received_at", OpenApiTypes.DATETIME, description="Default: now; no offset means +07:00."),
            OpenApiParameter("amount", OpenApiTypes.NUMBER, description="Time limit (default 1 for same_day)."),
            OpenApiParameter("unit", str, required=True, enum=[u.value for u in Unit]),
            OpenApiParameter("agency", str, description="Agency code; default: the national calendar."),
        ],
        responses=AppointmentSerializer,
    )
    def get(self, request):
        query = AppointmentQuery(data=_query(request))
        query.is_valid(raise_exception=True)
        params = query.validated_data
        received_at = params.get("received_at") or timezone.localtime().replace(microsecond=0)
        agency = params.get("agency")
        amount = params["amount"]
        appointment = compute_appointment_for(received_at, amount, params["unit"], agency)
        body = {
            "received_at": timezone.localtime(received_at).isoformat(),
            "amount": format(amount.normalize(), "f") if hasattr(amount, "normalize") else str(amount),
            "unit": params["unit"],
            "agency": agency.code if agency else None,
            **explain.appointment_dict(appointment, calendar_for(agency)),
        }
        return Response(body)


class DaysView(APIView):
    """Each date of a range (at most a year) with whether it is a working day, why, and its sessions.

    The whole range comes in one page, in the list envelope of the API.
    """

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True, description="At most 366 days after `from`."),
            OpenApiParameter("agency", str, description="Agency code; default: the national calendar."),
        ],
        responses=DaysSerializer,
    )
    def get(self, request):
        query = DaysQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        agency = params.get("agency")
        results = [
            {
                "date": day.date.isoformat(),
                "weekday": explain.weekday_name(day.date),
                "working": day.status.working,
                "reason": day.status.reason,
                "label": explain.day_label(day.date, day.status),
                "sessions": format_sessions(day.sessions).split(",") if day.sessions else [],
            }
            for day in calendar_days(params["from"], params["to"], agency)
        ]
        return Response({
            "count": len(results),
            "next": None,
            "previous": None,
            "agency": agency.code if agency else None,
            "results": results,
        })
