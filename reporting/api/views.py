"""Report endpoints (api.md "Reports"): managers only, scoped to their agencies.

An agency outside the caller's scope is a 404; malformed dates, `from` after `to` and an unknown
`group_by` are 400s naming the field. Figures are as they stood at the end of the period, or now
while the period is still running.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from organisation.errors import ValidationFailed
from procedures.models import Field, Procedure

from .. import selectors
from ..periods import Period
from .serializers import (
    DossiersQuery,
    Index766Serializer,
    OnTimeQuery,
    OnTimeReportSerializer,
    PeriodQuery,
    ReportDossierSerializer,
)

PERIOD_PARAMETERS = [
    OpenApiParameter("from", str, description=gettext_lazy("YYYY-MM-DD (mặc định: ngày đầu tháng này)")),
    OpenApiParameter("to", str, description=gettext_lazy("YYYY-MM-DD (mặc định: hôm nay)")),
    OpenApiParameter("agency", str, description=gettext_lazy("Mã cơ quan trong phạm vi được giao; ngoài phạm vi: 404")),
]


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class OnTimeReportView(APIView):
    """On-time report: received, finished, early, on time, late, pending, rates; grouped one way, with totals."""

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, OpenApiParameter("group_by", str, enum=list(selectors.GROUP_BY))],
        responses=OnTimeReportSerializer,
    )
    def get(self, request):
        scope = selectors.reporting_scope(request.user)
        q = _query(OnTimeQuery, request)
        tree = selectors.AgencyTree.load()
        unit = tree.resolve(q["agency"], scope)
        flt = selectors.ReportFilter(Period(q["from"], q["to"]), tree.agency_ids(unit, scope))
        rep = selectors.report(flt, q["group_by"], tree)
        data = {
            "from": q["from"], "to": q["to"], "group_by": q["group_by"], "agency": unit.code if unit else None,
            "rows": [selectors.row_as_dict(r) for r in rep.rows], "totals": selectors.row_as_dict(rep.totals),
        }
        return Response(OnTimeReportSerializer(data).data)


class Index766View(APIView):
    """The Decision 766 indicators we can compute, with their points, and those we cannot (no points)."""

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=Index766Serializer)
    def get(self, request):
        scope = selectors.reporting_scope(request.user)
        q = _query(PeriodQuery, request)
        index = selectors.index_766(scope, Period(q["from"], q["to"]), q["agency"])
        result = index.result
        data = {
            "from": q["from"], "to": q["to"], "agency": index.unit.code if index.unit else None,
            "ruleset": selectors.indicators.RULESET,
            "indicators": [
                {
                    "group": i.rule.group, "code": i.rule.code, "name": _(i.rule.name), "max_points": i.rule.max_points,
                    "threshold": (i.rule.threshold or 100) if i.computable and i.rule.scored else None,
                    "computable": i.computable, "scored": i.rule.scored,
                    "formula": _(i.rule.formula), "reason": _(i.rule.reason), "numerator": i.numerator,
                    "denominator": i.denominator, "rate": _float(i.rate), "points": _float(i.points),
                }
                for i in result.indicators
            ],
            "groups": [
                {
                    "code": g.group.code, "name": _(g.group.name), "max_points": g.group.max_points, "points": float(g.points),
                    "computable_max_points": g.computable_max_points, "scored_max_points": g.scored_max_points,
                }
                for g in result.groups
            ],
            "total": {
                "max_points": result.max_points, "points": float(result.points),
                "computable_max_points": result.computable_max_points, "scored_max_points": result.scored_max_points,
            },
        }
        return Response(Index766Serializer(data).data)


class ReportDossiersView(ListAPIView):
    """The dossiers behind a number of the reports (no personal data), paginated."""

    serializer_class = ReportDossierSerializer

    @extend_schema(parameters=[
        *PERIOD_PARAMETERS,
        OpenApiParameter("metric", str, enum=sorted(selectors.METRICS)),
        OpenApiParameter("field", str, description=gettext_lazy("Mã lĩnh vực")),
        OpenApiParameter("procedure", str, description=gettext_lazy("Mã thủ tục")),
        OpenApiParameter("channel", str, enum=["counter", "online", "postal"]),
        OpenApiParameter("month", str, description=gettext_lazy("YYYY-MM: chỉ hồ sơ tiếp nhận trong tháng này của kỳ")),
    ])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        scope = selectors.reporting_scope(self.request.user)
        q = _query(DossiersQuery, self.request)
        tree = selectors.AgencyTree.load()
        unit = tree.resolve(q["agency"], scope)
        field_id = procedure_id = None
        if q.get("field"):
            field_id = Field.objects.filter(code=q["field"]).values_list("id", flat=True).first()
            if field_id is None:
                raise ValidationFailed(_("Không có lĩnh vực mang mã này."),
                                       fields={"field": [_("Không có lĩnh vực mang mã này.")]})
        if q.get("procedure"):
            procedure_id = Procedure.objects.filter(code=q["procedure"]).values_list("id", flat=True).first()
            if procedure_id is None:
                raise ValidationFailed(_("Không có thủ tục mang mã này."),
                                       fields={"procedure": [_("Không có thủ tục mang mã này.")]})
        month = None
        if q.get("month"):
            y, m = (int(x) for x in q["month"].split("-"))
            month = date(y, m, 1)
        flt = selectors.ReportFilter(Period(q["from"], q["to"]), tree.agency_ids(unit, scope), field_id=field_id,
                                     procedure_id=procedure_id, channel=q.get("channel") or None, month=month)
        return selectors.dossiers_behind(q["metric"], flt)

