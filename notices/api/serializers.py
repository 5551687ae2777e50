from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Notice


class NotificationSerializer(serializers.ModelSerializer):
    """One in-app notice of the signed-in user."""

    dossier = serializers.SerializerMethodField(help_text="The dossier's code (or online reference), if any.")
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["id", "event", "subject", "body", "dossier", "created_at", "read_at", "is_read"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_dossier(self, obj):
        return obj.dossier.reference if obj.dossier_id else None

    @extend_schema_field(serializers.BooleanField())
    def get_is_read(self, obj):
        return obj.read_at is not None


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=500,
        help_text="The notices to mark read; leave out to mark every unread notice.",
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
