"""The signed-in user's in-app notifications: list (paginated, unread first) and mark read."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from organisation.errors import ValidationFailed

from .. import selectors, services
from .serializers import MarkedSerializer, MarkReadSerializer, NotificationSerializer


def _flag(value: str | None, field: str) -> bool | None:
    if value in (None, ""):
        return None
    lowered = value.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    msg = _("Phải là true hoặc false.")
    raise ValidationFailed(msg, fields={field: [msg]})


class NotificationList(generics.ListAPIView):
    """The signed-in user's in-app notifications, unread first, newest first."""

    serializer_class = NotificationSerializer

    @extend_schema(parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="only unread ones")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        unread = _flag(self.request.query_params.get("unread"), "unread")
        qs = selectors.inbox(self.request.user, unread_only=bool(unread))
        if unread is False:
            qs = qs.filter(read_at__isnull=False)
        return qs


class NotificationMarkRead(generics.GenericAPIView):
    """Mark some (or all) of the signed-in user's notifications read; returns how many changed."""

    serializer_class = MarkReadSerializer

    @extend_schema(request=MarkReadSerializer, responses={200: MarkedSerializer})
    def post(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data.get("ids")
        return Response({"marked": services.mark_read(request.user, ids)})
