"""The portal's forms. They check what a browser can get wrong (a missing field, a date that is not a date);
the rules belong to `citizens.services`, whose `ValidationFailed.fields` are put back next to the matching
input with `add_service_errors`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dossiers.models import ReturnMethod
from organisation.models import Agency, Desk

from .models import Attitude, Overall, TimeVsPromise, Visits

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def add_service_errors(form: forms.Form, fields: dict, fallback: str = "") -> None:
    """Put a service's per-field messages next to the inputs; `applicant.full_name` goes to `full_name`,
    anything without an input of its own on top of the form."""
    placed = False
    for key, messages in (fields or {}).items():
        name = key.split(".", 1)[1] if key.startswith("applicant.") else key
        for message in messages:
            if name in form.fields:
                form.add_error(name, message)
            else:
                form.add_error(None, message)
            placed = True
    if not placed and fallback:
        form.add_error(None, fallback)


class IdentifierField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Thư điện tử hoặc số điện thoại"))
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email"}))
        super().__init__(**kwargs)


class PasswordPairMixin:
    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Hai mật khẩu không khớp."))
        return data


class SignUpForm(PasswordPairMixin, forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    identifier = IdentifierField(help_text=_("Mã xác thực sẽ được gửi đến địa chỉ hoặc số điện thoại này."))
    password1 = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                help_text=_("Ít nhất 8 ký tự, không chỉ gồm chữ số."))
    password2 = forms.CharField(label=_("Nhập lại mật khẩu"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class VerifyForm(forms.Form):
    identifier = IdentifierField()
    code = forms.CharField(label=_("Mã xác thực (6 chữ số)"), max_length=10,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class ResendForm(forms.Form):
    identifier = IdentifierField()


class ResetRequestForm(forms.Form):
    identifier = IdentifierField()


class ResetConfirmForm(PasswordPairMixin, forms.Form):
    identifier = IdentifierField()
    code = forms.CharField(label=_("Mã xác thực (6 chữ số)"), max_length=10,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    password1 = forms.CharField(label=_("Mật khẩu mới"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Nhập lại mật khẩu mới"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class ProfileForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=255,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label=_("Số định danh cá nhân (12 chữ số)"), max_length=20, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    date_of_birth = forms.DateField(label=_("Ngày sinh"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.CharField(label=_("Thư điện tử"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))


class SubmissionForm(forms.Form):
    """The e-form of one procedure: the receiving agency, the applicant (prefilled from the profile), one
    upload per component, how the result comes back."""

    agency = forms.ModelChoiceField(label=_("Cơ quan tiếp nhận"), queryset=Agency.objects.none(),
                                    empty_label=_("– Chọn cơ quan –"), required=False)
    full_name = forms.CharField(label=_("Họ và tên người nộp"), max_length=255, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label=_("Số định danh cá nhân"), max_length=30, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
                            help_text=_("4 số cuối dùng để tra cứu hồ sơ."))
    email = forms.CharField(label=_("Thư điện tử"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    summary = forms.CharField(label=_("Nội dung yêu cầu"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    return_method = forms.ChoiceField(label=_("Hình thức nhận kết quả"), choices=ReturnMethod.choices,
                                      initial=ReturnMethod.ONLINE, widget=forms.RadioSelect)
    return_address = forms.CharField(label=_("Địa chỉ nhận kết quả qua bưu chính"), max_length=500, required=False)
    # The consent step of the national population database (population.services.consult_population) and the
    # consented look-up whose data this submission uses.
    population_consent = forms.BooleanField(
        label=_("Tôi đồng ý cho cơ quan khai thác thông tin của tôi trong Cơ sở dữ liệu quốc gia về dân cư để điền "
                "tờ khai và thay cho giấy tờ cơ sở dữ liệu này đã có."), required=False)
    population_lookup = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    def __init__(self, *args, procedure, agencies, kept_files=None, reuse=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.fields["agency"].queryset = agencies
        self.components = list(procedure.components.all())
        self.kept = kept_files or {}
        self.reuse = reuse or {}
        for component in self.components:
            self.fields[f"file_{component.pk}"] = forms.FileField(
                label=component.name, required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )

    def component_rows(self):
        """(component, bound file field, file kept in the draft or None, population.reuse.Reuse or None) per
        component: a component the state holds is taken from it instead of uploaded."""
        return [(c, self[f"file_{c.pk}"], self.kept.get(c.pk), self.reuse.get(c.pk)) for c in self.components]

    def uploads(self) -> dict[int, object]:
        return {c.pk: self.files.get(f"file_{c.pk}") for c in self.components if self.files.get(f"file_{c.pk}")}

    def applicant(self) -> dict:
        d = self.cleaned_data
        return {k: d.get(k, "") for k in ("full_name", "id_number", "phone", "email", "address")}

    def draft_data(self) -> dict:
        d = self.cleaned_data
        agency = d.get("agency")
        return {**self.applicant(), "agency": agency.code if agency else "", "summary": d.get("summary", ""),
                "return_method": d.get("return_method", ""), "return_address": d.get("return_address", "")}


class SupplementForm(forms.Form):
    """One upload per missing item of the open supplement round, and one for anything else."""

    def __init__(self, *args, items: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for i, item in enumerate(items):
            self.fields[f"item_{i}"] = forms.FileField(label=item, required=False,
                                                       widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        self.fields["other"] = forms.FileField(label=_("Giấy tờ khác (nếu có)"), required=False,
                                               widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def named_files(self) -> list[tuple[str, object]]:
        out = [(item, self.files.get(f"item_{i}")) for i, item in enumerate(self.items)]
        out.append((str(_("Giấy tờ bổ sung khác")), self.files.get("other")))
        return [(name, f) for name, f in out if f]


class RatingForm(forms.Form):
    time_vs_promise = forms.ChoiceField(label=_("Thời gian giải quyết so với giấy hẹn"), choices=TimeVsPromise.choices,
                                        required=False, widget=forms.RadioSelect)
    visits = forms.ChoiceField(label=_("Số lần phải đến cơ quan"), choices=Visits.choices, required=False,
                               widget=forms.RadioSelect)
    attitude = forms.ChoiceField(label=_("Thái độ của cán bộ"), choices=Attitude.choices, required=False,
                                 widget=forms.RadioSelect)
    overall = forms.ChoiceField(label=_("Mức độ hài lòng chung"), choices=Overall.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("Vui lòng chọn mức độ hài lòng.")})
    comment = forms.CharField(label=_("Góp ý (không bắt buộc)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=60,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                           help_text=_("Ghi trên giấy tiếp nhận, ví dụ 000.00.06.H56-261123-0001."))
    secret = forms.CharField(label=_("4 số cuối điện thoại của người nộp"), max_length=4, min_length=4,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                           "pattern": "[0-9]{4}"}))


class FeedbackForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Cơ quan nhận phản ánh"), queryset=Agency.objects.none(), required=False,
                                    empty_label=_("– Chọn cơ quan –"))
    dossier = forms.ChoiceField(label=_("Về hồ sơ (không bắt buộc)"), required=False)
    name = forms.CharField(label=_("Họ và tên"), max_length=255, required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel"}))
    email = forms.CharField(label=_("Thư điện tử"), max_length=254, required=False, widget=forms.EmailInput)
    subject = forms.CharField(label=_("Tiêu đề"), max_length=255, required=False)
    body = forms.CharField(label=_("Nội dung phản ánh, kiến nghị"), required=False, max_length=10000,
                           widget=forms.Textarea(attrs={"rows": 6}))
    is_complaint = forms.BooleanField(label=_("Đây là phản ánh về việc chưa hài lòng"), required=False, initial=True)

    def __init__(self, *args, agencies, dossiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        choices = [("", _("– Không gắn với hồ sơ –"))] + [(d.reference, f"{d.reference} – {d.procedure.name}")
                                                        for d in dossiers]
        self.fields["dossier"].choices = choices
        self.has_dossiers = len(choices) > 1


class FeedbackReplyForm(forms.Form):
    reply = forms.CharField(label=_("Thông tin bổ sung"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))


class FeedbackRateForm(forms.Form):
    rating = forms.ChoiceField(label=_("Ông/bà có hài lòng với câu trả lời?"), choices=Overall.choices,
                               widget=forms.RadioSelect)


class FeedbackRefuseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do không tiếp nhận"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackInfoForm(forms.Form):
    question = forms.CharField(label=_("Thông tin cần bổ sung"), max_length=10000,
                               widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Nội dung trả lời"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    publish = forms.BooleanField(label=_("Công khai câu trả lời trên cổng"), required=False)


class BookingForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Họ và tên"), max_length=255, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Điện thoại (nhận tin nhắc lịch)"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    email = forms.CharField(label=_("Thư điện tử (không bắt buộc)"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    procedure = forms.CharField(label=_("Mã thủ tục cần làm (không bắt buộc)"), max_length=60, required=False)


class SlotsForm(forms.Form):
    desk = forms.ModelChoiceField(label=_("Quầy"), queryset=Desk.objects.none(), empty_label=None)
    day = forms.DateField(label=_("Ngày"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.CharField(label=_("Từ giờ"), initial="07:30", max_length=5,
                            widget=forms.TextInput(attrs={"type": "time"}))
    end = forms.CharField(label=_("Đến giờ"), initial="11:00", max_length=5, widget=forms.TextInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Mỗi khung (phút)"), initial=30, min_value=5, max_value=240)
    capacity = forms.IntegerField(label=_("Số chỗ mỗi khung"), initial=3, min_value=1, max_value=100)

    def __init__(self, *args, desks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desk"].queryset = desks
