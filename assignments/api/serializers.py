from rest_framework import serializers

from ..models import DeadlineKind, Directive, ExtensionRequest, Task, TaskEvent, TaskFile, TaskReport
from ..selectors import STATE_LABELS, open_state


class TaskAgencySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DirectiveSerializer(serializers.ModelSerializer):
    issuing_agency = TaskAgencySerializer()
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = Directive
        fields = ["id", "number", "issued_on", "signer", "title", "issuing_agency", "has_file"]

    def get_has_file(self, obj) -> bool:
        return bool(obj.file)


class TaskDirectiveRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    issued_on = serializers.DateField()


class TaskListSerializer(serializers.ModelSerializer):
    ref = serializers.CharField()
    directive = TaskDirectiveRefSerializer()
    assigner = TaskAgencySerializer()
    lead_agency = TaskAgencySerializer()
    state = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()
    is_late = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "ref", "title", "directive", "assigner", "lead_agency", "status", "assigned_at",
                  "deadline_kind", "original_due_on", "due_on", "progress_percent", "completed_at", "verdict",
                  "state", "state_label", "is_late", "version"]

    def get_state(self, obj) -> str:
        return open_state(obj)

    def get_state_label(self, obj) -> str:
        return str(STATE_LABELS[open_state(obj)])

    def get_is_late(self, obj) -> bool:
        return open_state(obj) in ("late", "open_late")

    def get_verdict(self, obj) -> str | None:
        return obj.verdict or None


class TaskEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = TaskEvent
        fields = ["at", "action", "actor", "from_status", "to_status", "note"]


class TaskFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskFile
        fields = ["id", "file_name", "content_type", "size"]


class TaskReportSerializer(serializers.ModelSerializer):
    files = TaskFileSerializer(many=True)
    kind = serializers.CharField(help_text="progress | completion")

    class Meta:
        model = TaskReport
        fields = ["id", "kind", "text", "percent", "submitted_at", "outcome", "decided_at", "decision_note", "files"]


class TaskExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = ["id", "requested_at", "reason", "old_due_on", "proposed_due_on", "state", "decided_at",
                  "granted_due_on", "decision_note"]


class TaskDetailSerializer(TaskListSerializer):
    description = serializers.CharField()
    supporting_agencies = TaskAgencySerializer(many=True)
    deadline_working_days = serializers.IntegerField(allow_null=True)
    events = TaskEventSerializer(many=True)
    reports = TaskReportSerializer(many=True)
    extensions = TaskExtensionSerializer(many=True)
    actions = serializers.SerializerMethodField()

    class Meta(TaskListSerializer.Meta):
        fields = [*TaskListSerializer.Meta.fields, "description", "supporting_agencies", "deadline_working_days",
                  "events", "reports", "extensions", "actions"]

    def get_actions(self, obj) -> list[str]:
        return [a.replace("_", "-") for a in self.context.get("actions", [])]


class DirectiveCreateSerializer(serializers.Serializer):
    number = serializers.CharField(required=False, allow_blank=True)
    issued_on = serializers.CharField(required=False, allow_blank=True)
    signer = serializers.CharField(required=False, allow_blank=True)
    title = serializers.CharField(required=False, allow_blank=True)
    issuing_agency = serializers.CharField(help_text="agency code")
    file = serializers.FileField(required=False)


class TaskCreateSerializer(serializers.Serializer):
    directive = serializers.IntegerField()
    title = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    lead_agency = serializers.CharField(help_text="agency code")
    supporting_agencies = serializers.ListField(child=serializers.CharField(), required=False)
    deadline_kind = serializers.ChoiceField(choices=DeadlineKind.choices, required=False)
    due_on = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    working_days = serializers.IntegerField(required=False, allow_null=True)
    assigned_at = serializers.DateTimeField(required=False, allow_null=True)


class TaskActionSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True)
    percent = serializers.IntegerField(required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False)
    proposed_due_on = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)
    due_on = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    expected_version = serializers.IntegerField(required=False)


class TaskReportRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    code = serializers.CharField()
    label = serializers.CharField()
    assigned = serializers.IntegerField()
    with_deadline = serializers.IntegerField()
    on_time = serializers.IntegerField()
    early = serializers.IntegerField()
    late = serializers.IntegerField()
    without_deadline = serializers.IntegerField()
    open_in_time = serializers.IntegerField()
    open_late = serializers.IntegerField()


class TaskImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    directives_created = serializers.IntegerField()
