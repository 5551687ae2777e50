"""Schema of the national sync state shown in the dossier detail (`national_sync`)."""

from rest_framework import serializers


class NationalSyncSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["synced", "pending", "failed", "no_national_code", "not_synced",
                                             "not_yet"])
    label = serializers.CharField()
    enabled = serializers.BooleanField(help_text="DVCQG_URL is set")
    pending = serializers.IntegerField(help_text="changes waiting to be sent")
    synced_at = serializers.DateTimeField(allow_null=True)
    held_since = serializers.DateTimeField(allow_null=True, help_text="since when the national portal holds it")
    last_error = serializers.CharField()
    attempts = serializers.IntegerField(help_text="failed attempts of the change at the head of the queue")
    retry_at = serializers.DateTimeField(allow_null=True)
