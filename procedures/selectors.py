"""Reads of the catalogue: what the public may see, the search, the filters and one procedure.

The page and the API both go through `parse_catalogue_query` and `search_catalogue`, so a filter
means the same thing (and fails the same way) wherever it is used.

Why no trigram index: bench/bench_catalogue.py on 6,400 procedures (the national catalogue's size)
measures PostgreSQL's execution of the search page query at 2.4–6.8 ms with a sequential scan; with a
pg_trgm GIN index on search_text the planner still chooses the sequential scan (2.4–3.2 ms), since the
table is small and the ordering needs every match anyway. A whole API request takes 20–35 ms on a loaded
2-core machine, most of it Python. The index would only add a PostgreSQL-only migration for no gain.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Case, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.errors import NotFound, ValidationFailed
from organisation.models import Agency, AgencyLevel

from .models import Component, Field, FormDefinition, OnlineMode, Procedure, ProcedureStatus, ProcedureStep
from .text import fold, search_tokens

MAX_QUERY_LENGTH = 200
MAX_CODE_LENGTH = 40


@dataclass(frozen=True)
class CatalogueQuery:
    """A validated catalogue search: the words typed and the filters chosen."""

    q: str = ""
    field: Field | None = None
    level: str = ""
    agency: Agency | None = None
    online: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.field or self.level or self.agency or self.online)


def _param(params: Mapping, name: str) -> str:
    value = params.get(name)
    if value is None:
        return ""
    return str(value).strip()


def parse_catalogue_query(params: Mapping) -> CatalogueQuery:
    """Check the search parameters (`q`, `field`, `level`, `agency`, `online`) all at once.

    Raises ValidationFailed naming every bad parameter: an unknown code or value is an error, never
    silently ignored, because a citizen filtering on a mistyped field would otherwise be shown the
    whole catalogue as if it were the answer.
    """
    errors: dict[str, list[str]] = {}
    raw = {name: _param(params, name) for name in ("q", "field", "level", "agency", "online")}
    for name, value in raw.items():
        limit = MAX_QUERY_LENGTH if name == "q" else MAX_CODE_LENGTH
        if "\x00" in value or any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
            errors[name] = [_("Chứa ký tự không hợp lệ.")]
        elif len(value) > limit:
            errors[name] = [_("Dài quá %(limit)d ký tự.") % {"limit": limit}]

    level = raw["level"]
    if "level" not in errors and level and level not in AgencyLevel.values:
        errors["level"] = [
            _("Cấp thực hiện không hợp lệ; chọn một trong: %(choices)s.") % {"choices": ", ".join(AgencyLevel.values)}
        ]
    online = raw["online"]
    if "online" not in errors and online and online not in OnlineMode.values:
        errors["online"] = [
            _("Mức độ trực tuyến không hợp lệ; chọn một trong: %(choices)s.") % {"choices": ", ".join(OnlineMode.values)}
        ]
    field = None
    if "field" not in errors and raw["field"]:
        field = Field.objects.filter(code=raw["field"]).first()
        if field is None:
            errors["field"] = [_("Không có lĩnh vực mã “%(code)s”.") % {"code": raw["field"]}]
    agency = None
    if "agency" not in errors and raw["agency"]:
        agency = Agency.objects.filter(code=raw["agency"]).first()
        if agency is None:
            errors["agency"] = [_("Không có cơ quan mã “%(code)s”.") % {"code": raw["agency"]}]

    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(_("Tham số tìm kiếm không hợp lệ: %(msg)s") % {"msg": first}, code="invalid", fields=errors)
    return CatalogueQuery(q=raw["q"], field=field, level=level, agency=agency, online=online)


def public_procedures(today: datetime.date | None = None) -> QuerySet[Procedure]:
    """Published procedures in effect today (effective_from ≤ today ≤ effective_to, empty ends open)."""
    today = today or timezone.localdate()
    return Procedure.objects.filter(
        Q(effective_from__isnull=True) | Q(effective_from__lte=today),
        Q(effective_to__isnull=True) | Q(effective_to__gte=today),
        status=ProcedureStatus.PUBLISHED,
    )


def level_q(level: str) -> Q:
    """Procedures whose comma-separated `agency_levels` include this level (exact item, not substring)."""
    return (
        Q(agency_levels=level)
        | Q(agency_levels__startswith=f"{level},")
        | Q(agency_levels__endswith=f",{level}")
        | Q(agency_levels__contains=f",{level},")
    )


def components_prefetch() -> Prefetch:
    return Prefetch("components", queryset=Component.objects.order_by("order", "id"))


def search_catalogue(
    query: CatalogueQuery, today: datetime.date | None = None, *, with_components: bool = True
) -> QuerySet[Procedure]:
    """The public procedures matching a query, with what a result row shows, in a fixed number of queries.

    Every folded word must appear in the folded code and name (AND of LIKEs on `search_text`); those
    containing the whole phrase come first, then the shorter names, then by code.
    """
    qs = public_procedures(today)
    tokens = search_tokens(query.q)
    for token in tokens:
        qs = qs.filter(search_text__contains=token)
    if query.field is not None:
        qs = qs.filter(field=query.field)
    if query.level:
        qs = qs.filter(level_q(query.level))
    if query.agency is not None:
        qs = qs.filter(agencies=query.agency)
    if query.online:
        qs = qs.filter(online_mode=query.online)
    qs = qs.select_related("field")
    if with_components:
        qs = qs.prefetch_related(components_prefetch())
    phrase = fold(query.q)
    if tokens:
        # Relevance without a search engine: the whole phrase before scattered words, then the shortest
        # (most general) name: "khai sinh" lists Đăng ký khai sinh before Đăng ký lại khai sinh.
        qs = qs.annotate(
            phrase_rank=Case(When(search_text__contains=phrase, then=Value(0)), default=Value(1), output_field=IntegerField()),
            text_length=Length("search_text"),
        ).order_by("phrase_rank", "text_length", "code")
    else:
        qs = qs.order_by("code")
    return qs


def get_public_procedure(code: str, today: datetime.date | None = None) -> Procedure:
    """One public procedure with everything its page shows; NotFound for drafts and those out of effect."""
    if not code or len(code) > MAX_CODE_LENGTH or "\x00" in code:  # PostgreSQL refuses NUL in a string
        raise NotFound(_("Không tìm thấy thủ tục mã “%(code)s”.") % {"code": code[:MAX_CODE_LENGTH]},
                       code="procedure_not_found")
    procedure = (
        public_procedures(today)
        .filter(code=code)
        .annotate(current_form_id=current_form_subquery(today))
        .select_related("field")
        .prefetch_related(
            components_prefetch(),
            Prefetch("steps", queryset=ProcedureStep.objects.select_related("agency").order_by("order")),
            Prefetch("agencies", queryset=Agency.objects.order_by("level", "code")),
        )
        .first()
    )
    if procedure is None:
        raise NotFound(_("Không tìm thấy thủ tục mã “%(code)s”.") % {"code": code}, code="procedure_not_found")
    return procedure


def fields_for_filter() -> QuerySet[Field]:
    """The fields offered in the catalogue's filter."""
    return Field.objects.order_by("name")


def catalogue_for_export() -> QuerySet[Procedure]:
    """Every procedure, drafts too, with what a row of the exchange format needs, in five queries."""
    return (
        Procedure.objects.select_related("field", "national_mapping")
        .prefetch_related(
            components_prefetch(),
            Prefetch("steps", queryset=ProcedureStep.objects.select_related("agency").order_by("order")),
            Prefetch("agencies", queryset=Agency.objects.order_by("code")),
            Prefetch("form_definitions", queryset=FormDefinition.objects.order_by("-effective_from", "-version"),
                     to_attr="form_versions"),
        )
        .order_by("code")
    )


def form_for(procedure: Procedure, on: datetime.date | None = None) -> FormDefinition | None:
    """The version of the procedure's electronic form in force on a day (today by default): the latest
    effective by then, the highest version among those of the same day; None when it has none yet."""
    on = on or timezone.localdate()
    return (FormDefinition.objects.filter(procedure=procedure, effective_from__lte=on)
            .order_by("-effective_from", "-version").first())


def current_form_subquery(on: datetime.date | None = None) -> Subquery:
    """The id of the form version in force (as `form_for` picks it), to annotate procedures with, so a page
    knows whether there is a form without another query."""
    on = on or timezone.localdate()
    return Subquery(FormDefinition.objects.filter(procedure=OuterRef("pk"), effective_from__lte=on)
                    .order_by("-effective_from", "-version").values("id")[:1])


# The component that is the form itself: "Tờ khai …", "Giấy đề nghị …", "Đơn đề nghị …", "Phiếu đề nghị …".
_DECLARATION_PREFIXES = ("to khai", "giay de nghi", "don de nghi", "don xin", "phieu de nghi", "de nghi")


def declaration_component_id(components) -> int | None:
    """Which of a procedure's components the electronic form stands for (its "Mẫu đơn, tờ khai" cell
    links to the printed form): the first whose name says it is a declaration or application."""
    for component in components:
        if fold(component.name).startswith(_DECLARATION_PREFIXES):
            return component.id
    return None
