"""Public catalogue endpoints: search and one procedure."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny

from organisation.models import AgencyLevel
from procedures import selectors
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
