"""Public catalogue endpoints: search and one procedure."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from organisation.errors import NotFound
from organisation.models import AgencyLevel
from procedures import formtext, selectors
from procedures.models import OnlineMode

from .serializers import ProcedureDetailSerializer, ProcedureListSerializer

SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words of the code or name; diacritics and case are ignored"),
    OpenApiParameter("field", OpenApiTypes.STR, description="Field code, e.g. G09-TP02"),
    OpenApiParameter("agency", OpenApiTypes.STR, description="Code of an agency that performs the procedure"),
    OpenApiParameter("level", OpenApiTypes.STR, enum=AgencyLevel.values, description="Agency level"),
    OpenApiParameter("online", OpenApiTypes.STR, enum=OnlineMode.values, description="Online mode"),
]


@extend_schema(parameters=SEARCH_PARAMETERS, responses=ProcedureListSerializer(many=True))
class ProcedureList(generics.ListAPIView):
    """Published procedures in effect; an unknown filter value is a 400 naming the parameter."""

    permission_classes = [AllowAny]
    serializer_class = ProcedureListSerializer

    def get_queryset(self):
        query = selectors.parse_catalogue_query(self.request.query_params)
        return selectors.search_catalogue(query)


class ProcedureDetail(generics.RetrieveAPIView):
    """One published procedure in effect, with its steps, legal basis and agencies."""

    permission_classes = [AllowAny]
    serializer_class = ProcedureDetailSerializer
    lookup_field = "code"

    def get_object(self):
        return selectors.get_public_procedure(self.kwargs["code"])


class ProcedureFormSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    effective_from = serializers.DateField()
    definition = serializers.DictField(help_text="The form definition (procedures/formdefs.py): title, fields "
                                                 "with types, labels in vi and en, checks, repeated groups")


class ProcedureForm(generics.GenericAPIView):
    """The electronic form (tờ khai điện tử) in force for a published procedure: what `form` in a dossier's
    intake must hold. 404 when the procedure has none."""

    permission_classes = [AllowAny]
    serializer_class = ProcedureFormSerializer

    def get(self, request, code):
        procedure = selectors.get_public_procedure(code)
        version = selectors.form_for(procedure)
        if version is None:
            raise NotFound(str(formtext.PROBLEMS["no_form"]), code="form_not_found")
        return Response({"version": version.version, "effective_from": version.effective_from.isoformat(),
                         "definition": version.definition})
