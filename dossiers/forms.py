"""The forms of the officers' screens: intake at the desk and one small form per dossier action.

Forms only check what a browser can get wrong (a missing field, a date that is not a date); the rules
belong to the services, whose `ValidationFailed.fields` are put back next to the matching input with
`add_service_errors`.
"""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisation.models import Agency
from organisation.names import display_name
from procedures.models import ComponentKind

from .models import Channel, ComponentSource, FeePayment, IdType, ReturnMethod

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = display_name(obj)
        return f"{name} ({obj.get_username()})"


class IntakeForm(forms.Form):
    """The desk's intake form for one procedure: the component checklist, the applicant once, the channel,
    how the result goes back, and an optional backdated time of receipt."""

    DECISIONS = ("receive", "supplement", "refuse")

    agency = forms.ModelChoiceField(label=_("Cơ quan tiếp nhận"), queryset=Agency.objects.none(), empty_label=None,
                                    required=False)
    full_name = forms.CharField(label=_("Họ và tên người nộp"), max_length=255)
    id_type = forms.ChoiceField(label=_("Loại giấy tờ"), choices=IdType.choices, initial=IdType.CCCD)
    id_number = forms.CharField(label=_("Số giấy tờ"), max_length=30, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    owner_name = forms.CharField(label=_("Chủ hồ sơ (nếu khác người nộp)"), max_length=255, required=False)
    owner_id_number = forms.CharField(label=_("Số giấy tờ của chủ hồ sơ"), max_length=30, required=False)
    summary = forms.CharField(label=_("Trích yếu"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    channel = forms.ChoiceField(
        label=_("Kênh nộp"), choices=[(Channel.COUNTER, Channel.COUNTER.label), (Channel.POSTAL, Channel.POSTAL.label)],
        initial=Channel.COUNTER, widget=forms.RadioSelect,
    )
    return_method = forms.ChoiceField(
        label=_("Hình thức nhận kết quả"),
        choices=[(ReturnMethod.DESK, ReturnMethod.DESK.label), (ReturnMethod.POST, ReturnMethod.POST.label)],
        initial=ReturnMethod.DESK, widget=forms.RadioSelect,
    )
    return_address = forms.CharField(label=_("Địa chỉ nhận kết quả qua bưu chính"), max_length=500, required=False)
    received_at = forms.DateTimeField(
        label=_("Thời điểm tiếp nhận (chỉ khi nhập bù hồ sơ nhận trước đó)"), required=False, widget=DateTimeLocalInput,
        help_text=_("Để trống: tính từ bây giờ."),
    )
    missing_items = forms.CharField(
        label=_("Giấy tờ cần bổ sung (hướng dẫn một lần đầy đủ)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )
    refusal_reason = forms.CharField(label=_("Lý do từ chối tiếp nhận"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    # The applicant's consent, asked at the counter, to read the national population database (Decree 309/2026:
    # data the state holds is not asked again), and the look-up whose data this intake uses.
    population_consent = forms.BooleanField(
        label=_("Người nộp đồng ý cho khai thác thông tin của mình trong Cơ sở dữ liệu quốc gia về dân cư"),
        required=False)
    population_lookup = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    # A boundary-free procedure another agency of the province performs (phi địa giới, Decree 309/2026).
    competent_agency = forms.ModelChoiceField(label=_("Cơ quan có thẩm quyền giải quyết"),
                                              queryset=Agency.objects.none(), required=False,
                                              empty_label=_("– Chọn cơ quan –"))

    def __init__(self, *args, procedure, agencies, default_agency=None, competent=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.default_agency = default_agency
        # The agencies a boundary-free dossier taken here may go to; empty when this desk performs it.
        self.competent = list(competent)
        self.fields["competent_agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in self.competent])
        if len(self.competent) == 1:
            self.fields["competent_agency"].initial = self.competent[0].pk
        self.components = list(procedure.components.all())
        self.fields["agency"].queryset = agencies
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk
            self.fields["agency"].widget = forms.HiddenInput()
        kinds = dict(ComponentKind.choices)
        for component in self.components:
            self.fields[f"comp_{component.pk}"] = forms.BooleanField(label=_("Đã nhận"), required=False)
            self.fields[f"comp_{component.pk}_file"] = forms.FileField(
                label=_("Bản quét"), required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
            )
            component.kind_label = kinds.get(component.kind, component.kind)
            # Decision 766 (4.3, 4.4, 4.5b): where the document came from, when not from the applicant.
            self.fields[f"comp_{component.pk}_source"] = forms.ChoiceField(
                label=_("Nguồn dữ liệu"), choices=ComponentSource.choices, required=False)
            component.source_field = self[f"comp_{component.pk}_source"]

    def component_rows(self):
        """The checklist as rows for the template: the component with its two bound fields."""
        for component in self.components:
            yield component, self[f"comp_{component.pk}"], self[f"comp_{component.pk}_file"]

    @property
    def decision(self) -> str:
        value = (self.data.get("decision") or "receive") if self.is_bound else "receive"
        return value if value in self.DECISIONS else "receive"

    def missing_required(self) -> list:
        return [c for c in self.components if c.required and not self.cleaned_data.get(f"comp_{c.pk}")]

    def clean_agency(self):
        """The desk the officer works at when there is only one (or none was chosen)."""
        return self.cleaned_data.get("agency") or self.default_agency

    def clean_received_at(self):
        value = self.cleaned_data.get("received_at")
        if value and value > timezone.now():
            raise forms.ValidationError(_("Thời điểm tiếp nhận không được ở tương lai."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("return_method") == ReturnMethod.POST and not (data.get("return_address") or data.get("address")):
            self.add_error("return_address", _("Nhập địa chỉ để gửi kết quả qua bưu chính."))
        decision = self.decision
        if decision == "receive":
            missing = self.missing_required()
            if missing:
                names = "; ".join(c.name for c in missing)
                raise forms.ValidationError(
                    _("Còn thiếu giấy tờ bắt buộc: %(names)s. Hãy đánh dấu “đã nhận”, hoặc chọn "
                      "“Yêu cầu bổ sung” (hướng dẫn người nộp một lần đầy đủ) hay “Từ chối tiếp nhận”.") % {"names": names},
                    code="missing_components",
                )
        elif decision == "supplement" and not data.get("missing_items", "").strip():
            self.add_error("missing_items", _("Liệt kê đầy đủ các giấy tờ cần bổ sung."))
        elif decision == "refuse" and not data.get("refusal_reason", "").strip():
            self.add_error("refusal_reason", _("Nêu rõ lý do từ chối tiếp nhận."))
        return data

    def suggested_missing_items(self) -> str:
        """The unticked required components, one per line: the guidance the applicant gets in one go."""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return ""
        return "\n".join(f"- {c.name} ({c.kind_label}, {c.count})" for c in self.missing_required())

    def applicant(self) -> dict:
        d = getattr(self, "cleaned_data", {})
        return {
            "full_name": d.get("full_name", ""), "id_type": d.get("id_type", ""), "id_number": d.get("id_number", ""),
            "phone": d.get("phone", ""), "email": d.get("email", ""), "address": d.get("address", ""),
            "owner_name": d.get("owner_name", ""), "owner_id_number": d.get("owner_id_number", ""),
        }

    def received_components(self) -> tuple[list[dict], dict[int, str]]:
        """The ticked components (and any with a scan) for the service, and which form field each index is."""
        rows, index_to_field = [], {}
        for component in self.components:
            upload = self.cleaned_data.get(f"comp_{component.pk}_file")
            if not self.cleaned_data.get(f"comp_{component.pk}") and not upload:
                continue
            index_to_field[len(rows)] = f"comp_{component.pk}"
            rows.append({"component": component.pk, "name": component.name, "kind": component.kind,
                         "count": component.count, "file": upload or None,
                         "data_source": self.cleaned_data.get(f"comp_{component.pk}_source") or ""})
        return rows, index_to_field


# Service field names (ValidationFailed.fields keys) → intake form fields.
INTAKE_FIELD_MAP = {
    "applicant.full_name": "full_name", "applicant.id_type": "id_type", "applicant.id_number": "id_number",
    "applicant.phone": "phone", "applicant.email": "email", "applicant.address": "address",
    "applicant.owner_name": "owner_name", "applicant.owner_id_number": "owner_id_number",
    "owner_name": "owner_name", "owner_id_number": "owner_id_number",
    "full_name": "full_name", "id_type": "id_type", "id_number": "id_number", "phone": "phone", "email": "email",
    "address": "address", "summary": "summary", "channel": "channel", "return_method": "return_method",
    "return_address": "return_address", "received_at": "received_at", "agency": "agency",
    "items": "missing_items", "reason": "refusal_reason", "competent_agency": "competent_agency",
}

_INDEXED = re.compile(r"^components\[(\d+)\](?:\.(\w+))?$")


def add_service_errors(form: forms.Form, fields: dict, field_map: dict | None = None,
                       index_to_field: dict[int, str] | None = None) -> None:
    """Put a service's per-field messages next to the inputs they name; the rest go on top of the form."""
    field_map = field_map or {}
    for key, messages in (fields or {}).items():
        target = field_map.get(key, key)
        match = _INDEXED.match(key)
        if match and index_to_field and int(match.group(1)) in index_to_field:
            base = index_to_field[int(match.group(1))]
            target = f"{base}_file" if match.group(2) == "file" else base
        if target not in form.fields:
            target = None
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(target, str(message))


# --- actions on a dossier --------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Every action form carries the version the officer saw, so a concurrent change is refused clearly."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        if dossier is not None and not self.is_bound:
            self.fields["version"].initial = dossier.version

    def service_kwargs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(ActionForm):
    reason = forms.CharField(label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoFieldsForm(ActionForm):
    pass


class AssignForm(ActionForm):
    assignee = UserChoiceField(label=_("Giao cho"), queryset=None)

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees


class TransferForm(ActionForm):
    to_agency = forms.ModelChoiceField(
        label=_("Chuyển đến cơ quan (liên thông)"), queryset=None, required=False,
        empty_label=_("— Theo quy trình của thủ tục —"),
    )
    assignee = forms.ChoiceField(label=_("Người xử lý bước tiếp theo"), required=False)
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, agencies=None, assignees=(), **kwargs):
        """`assignees`: (user id, label) of the officers who may take the next step, labelled with their agency."""
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].queryset = agencies
        self.fields["assignee"].choices = [("", _("— Chưa giao —")), *assignees]

    def service_kwargs(self) -> dict:
        from django.contrib.auth import get_user_model

        data = super().service_kwargs()
        data["assignee"] = get_user_model().objects.filter(pk=int(data["assignee"])).first() if data["assignee"] else None
        return data


class SupplementRequestForm(ActionForm):
    items = forms.CharField(label=_("Giấy tờ cần bổ sung (mỗi dòng một giấy tờ)"), widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline_at = forms.DateField(label=_("Hạn bổ sung"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("Để trống: 5 ngày làm việc kể từ hôm nay."))


class SupplementReceivedForm(ActionForm):
    received = forms.MultipleChoiceField(label=_("Giấy tờ đã nhận trong số giấy tờ được yêu cầu"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    names = forms.CharField(
        label=_("Giấy tờ khác đã nhận (mỗi dòng một giấy tờ)"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
    )
    file = forms.FileField(label=_("Bản quét giấy tờ bổ sung"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))
    accept_incomplete = forms.BooleanField(label=_("Chấp nhận hồ sơ bổ sung là đầy đủ dù còn thiếu giấy tờ được yêu cầu"),
                                           required=False)
    note = forms.CharField(label=_("Ghi chú (bắt buộc khi chấp nhận còn thiếu)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, dossier=dossier, **kwargs)
        waiting = [r for r in dossier.supplements.all() if r.replied_at is None] if dossier is not None else []
        missing = max(waiting, key=lambda r: r.round).missing_items if waiting else []
        self.fields["received"].choices = [(item, item) for item in missing]
        if not missing:
            del self.fields["received"]

    def service_kwargs(self) -> dict:
        names = list(self.cleaned_data.get("received") or [])
        names += [line.strip(" -•\t") for line in self.cleaned_data.get("names", "").splitlines() if line.strip(" -•\t")]
        upload = self.cleaned_data.get("file")
        components = [{"name": name, "kind": "original", "count": 1, "file": None} for name in names]
        if upload:
            if components:
                components[0]["file"] = upload
            else:
                components.append({"name": str(_("Giấy tờ bổ sung")), "kind": "original", "count": 1, "file": upload})
        return {"components": components, "accept_incomplete": bool(self.cleaned_data.get("accept_incomplete")),
                "note": self.cleaned_data.get("note", "")}


class PaymentRequestForm(ActionForm):
    amount = forms.IntegerField(label=_("Số tiền (đồng)"), min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class PaymentConfirmForm(ActionForm):
    method = forms.ChoiceField(label=_("Hình thức nộp phí"), choices=FeePayment.choices, initial=FeePayment.CASH,
                               required=False)


class DecideForm(ActionForm):
    result = forms.CharField(label=_("Kết quả giải quyết"), widget=forms.Textarea(attrs={"rows": 2}))
    result_file = forms.FileField(label=_("Tệp kết quả điện tử"), required=False,
                                  widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, dossier=dossier, **kwargs)
        if dossier is not None and dossier.draft_result_text:
            # The processing officer's draft is the result unless the head writes another.
            self.fields["result"].required = False
            self.fields["result"].initial = dossier.draft_result_text
            if dossier.draft_result_file:
                self.fields["result_file"].help_text = _("Để trống: dùng tệp dự thảo đã trình.")


class DraftResultForm(ActionForm):
    result = forms.CharField(label=_("Nội dung dự thảo kết quả"), widget=forms.Textarea(attrs={"rows": 2}))
    result_file = forms.FileField(label=_("Tệp dự thảo kết quả"), required=False,
                                  widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))


class ApologyForm(ActionForm):
    reason = forms.CharField(label=_("Lý do chậm trễ"), widget=forms.Textarea(attrs={"rows": 2}))
    new_appointment_at = forms.DateTimeField(label=_("Ngày hẹn trả mới"), widget=DateTimeLocalInput)

    def clean_new_appointment_at(self):
        value = self.cleaned_data["new_appointment_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Ngày hẹn mới phải sau thời điểm hiện tại."))
        return value
