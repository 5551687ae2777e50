"""Every write of the citizens' portal: accounts and codes, drafts and online submission, supplements,
ratings, feedback and desk bookings. One function per action, each in one transaction.

Dossier state changes are never made here: submission and supplements go through `dossiers.services`,
which own the transition table, the timeline and the notices. What this module adds is the citizen's
side: the checks that the dossier is theirs, the files kept between two visits, and the portal's own
records (codes, drafts, ratings, feedback, bookings).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossiers.models import Dossier
from dossiers.uploads import delete_stored, store_upload, validate_upload
from notices.models import NoticeChannel
from notices.services import queue_notice
from organisation.errors import ActionNotAllowed, NotAllowed, NotFound, ValidationFailed
from organisation.names import display_name

from .errors import TooManyAttempts
from .models import (
    Attitude,
    Booking,
    BookingStatus,
    CitizenProfile,
    CodePurpose,
    Draft,
    DraftFile,
    Feedback,
    FeedbackStatus,
    Overall,
    Rating,
    Slot,
    TimeVsPromise,
    VerificationCode,
    Visits,
)

# --- accounts ---------------------------------------------------------------------------------------

CODE_TTL = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_AFTER = timedelta(seconds=60)
CODES_PER_HOUR = 5

_PHONE = re.compile(r"^0\d{9}$")
_ID_NUMBER = re.compile(r"^\d{12}$")


def normalize_phone(value: str) -> str:
    """'+84 912 345 678' and '0912.345.678' are the same number: '0912345678'."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def parse_identifier(value: str, field: str = "identifier") -> tuple[str, str]:
    """(channel, normalised value) of an e-mail address or a Vietnamese mobile number."""
    raw = (value or "").strip()
    if "@" in raw:
        email = raw.lower()
        try:
            validate_email(email)
        except DjangoValidationError:
            msg = _("Địa chỉ thư điện tử không hợp lệ.")
            raise ValidationFailed(msg, fields={field: [msg]}) from None
        return NoticeChannel.EMAIL, email
    phone = normalize_phone(raw)
    if not _PHONE.match(phone):
        msg = _("Nhập thư điện tử hoặc số điện thoại di động 10 chữ số (bắt đầu bằng 0).")
        raise ValidationFailed(msg, fields={field: [msg]})
    return NoticeChannel.SMS, phone


def _code_hash(user_id: int, purpose: str, code: str) -> str:
    message = f"{user_id}:{purpose}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _check_password(password: str, user=None, field: str = "password") -> None:
    try:
        validate_password(password or "", user=user)
    except DjangoValidationError as exc:
        messages = [str(m) for m in exc.messages]
        raise ValidationFailed(messages[0], fields={field: messages}) from None


# Rendered in the portal's language (settings.LANGUAGE_CODE), like every notice to citizens.
CODE_TEXTS = {
    CodePurpose.SIGNUP: (
        gettext_lazy("Mã xác thực tài khoản MotCua"),
        gettext_lazy("Mã xác thực tài khoản Cổng dịch vụ công MotCua của ông/bà là {code}. Mã có hiệu lực trong "
                     "{minutes} phút. Không cung cấp mã này cho bất kỳ ai."),
    ),
    CodePurpose.RESET: (
        gettext_lazy("Mã đặt lại mật khẩu MotCua"),
        gettext_lazy("Mã đặt lại mật khẩu tài khoản MotCua của ông/bà là {code}. Mã có hiệu lực trong {minutes} "
                     "phút. Nếu ông/bà không yêu cầu, hãy bỏ qua tin này."),
    ),
}


def send_code(user, purpose: str, *, now: datetime | None = None) -> VerificationCode:
    """Write a new code and its notice (e-mail or SMS, through the outbox); earlier codes stop working.

    At most one code a minute and five an hour for one account, so the desk's SMS budget cannot be
    spent by someone pressing "resend".
    """
    now = now or timezone.now()
    channel, destination = parse_identifier(user.get_username())
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        recent = VerificationCode.objects.filter(user=user, purpose=purpose, created_at__gt=now - timedelta(hours=1))
        last = recent.order_by("-created_at").first()
        if last is not None and now - last.created_at < CODE_RESEND_AFTER:
            wait = int((CODE_RESEND_AFTER - (now - last.created_at)).total_seconds()) + 1
            msg = _("Mã vừa được gửi. Vui lòng chờ %(s)d giây rồi gửi lại.") % {"s": wait}
            raise TooManyAttempts(msg, code="code_sent_recently")
        if recent.count() >= CODES_PER_HOUR:
            raise TooManyAttempts(_("Đã gửi quá nhiều mã trong một giờ. Vui lòng thử lại sau."), code="too_many_codes")
        VerificationCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(used_at=now)
        code = f"{secrets.randbelow(1_000_000):06d}"
        record = VerificationCode.objects.create(
            user=user, purpose=purpose, channel=channel, destination=destination,
            code_hash=_code_hash(user.pk, purpose, code), created_at=now, expires_at=now + CODE_TTL,
        )
        subject, body = CODE_TEXTS[CodePurpose(purpose)]
        with translation.override(settings.LANGUAGE_CODE):
            subject = str(subject)
            body = str(body).format(code=code, minutes=int(CODE_TTL.total_seconds() // 60))
        queue_notice(event=f"code_{purpose}", channel=channel, recipient=destination, subject=subject, body=body,
                     dedupe_key=f"citizen-code:{record.pk}", user=user)
    return record


def check_code(user, purpose: str, code: str, *, now: datetime | None = None) -> VerificationCode:
    """The live code matching `code`, now used; a wrong code costs one of the five tries.

    The try is counted in its own transaction, committed before the error is raised, so a caller's
    rollback cannot give it back.
    """
    now = now or timezone.now()
    code = re.sub(r"\s", "", code or "")
    field = "code"
    with transaction.atomic():
        record = (VerificationCode.objects.select_for_update()
                  .filter(user=user, purpose=purpose, used_at__isnull=True).order_by("-created_at").first())
        if record is None or record.expires_at <= now:
            problem = ("expired", _("Mã đã hết hạn hoặc không còn hiệu lực. Vui lòng yêu cầu mã mới."))
        elif record.attempts >= CODE_MAX_ATTEMPTS:
            problem = ("tries", _("Đã nhập sai quá số lần cho phép. Vui lòng yêu cầu mã mới."))
        elif not hmac.compare_digest(record.code_hash, _code_hash(user.pk, purpose, code)):
            record.attempts += 1
            record.save(update_fields=["attempts"])
            left = CODE_MAX_ATTEMPTS - record.attempts
            problem = ("wrong", _("Mã không đúng. Còn %(n)d lần thử.") % {"n": left} if left else
                       _("Mã không đúng. Đã hết số lần thử, vui lòng yêu cầu mã mới."))
        else:
            record.used_at = now
            record.save(update_fields=["used_at"])
            return record
    kind, msg = problem
    if kind == "tries":
        raise TooManyAttempts(msg, code="too_many_tries", fields={field: [msg]})
    raise ValidationFailed(msg, code=f"code_{kind}", fields={field: [msg]})


def _user_by_identifier(identifier: str):
    _channel, value = parse_identifier(identifier)
    return get_user_model().objects.filter(username=value).first(), value


def sign_up(*, full_name: str, identifier: str, password: str) -> object:
    """A new citizen account, inactive until the code sent to the e-mail or phone is entered.

    Signing up again with an address not verified yet replaces the name and password and sends a new
    code; an address already in use is refused.
    """
    full_name = " ".join((full_name or "").split())
    errors: dict[str, list[str]] = {}
    if not full_name:
        errors["full_name"] = [_("Vui lòng nhập họ và tên.")]
    try:
        channel, value = parse_identifier(identifier)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        channel = value = ""
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=value).first()
        if user is not None and (user.is_active or user.memberships.exists()):
            msg = _("Thư điện tử hoặc số điện thoại này đã được đăng ký. Vui lòng đăng nhập hoặc lấy lại mật khẩu.")
            raise ValidationFailed(msg, code="already_registered", fields={"identifier": [msg]})
        if user is None:
            user = User(username=value, is_active=False)
        last, _sep, first = full_name.rpartition(" ")
        user.first_name, user.last_name = first[:150], last[:150]
        user.email = value if channel == NoticeChannel.EMAIL else ""
        _check_password(password, user)
        user.set_password(password)
        user.save()
        profile, _created = CitizenProfile.objects.get_or_create(user=user, defaults={"full_name": full_name})
        profile.full_name = full_name
        if channel == NoticeChannel.EMAIL:
            profile.email = value
        else:
            profile.phone = value
        profile.save()
    send_code(user, CodePurpose.SIGNUP)
    return user


def resend_signup_code(identifier: str) -> None:
    """A new code for an account not verified yet; unknown or verified addresses get the same silence."""
    user, _value = _user_by_identifier(identifier)
    if user is None or user.is_active:
        return
    send_code(user, CodePurpose.SIGNUP)


def verify_account(*, identifier: str, code: str):
    """The code matches: the account is active and the profile marked verified."""
    user, _value = _user_by_identifier(identifier)
    if user is None or user.is_active:
        msg = _("Mã đã hết hạn hoặc không còn hiệu lực. Vui lòng yêu cầu mã mới.")
        raise ValidationFailed(msg, code="code_expired", fields={"code": [msg]})
    check_code(user, CodePurpose.SIGNUP, code)
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        CitizenProfile.objects.filter(user=user).update(verified_at=timezone.now())
    return user


def request_password_reset(identifier: str) -> None:
    """Send a reset code when the account exists and is active; say nothing either way (no account
    enumeration), and keep quiet about the per-hour limit as well."""
    user, _value = _user_by_identifier(identifier)
    if user is None or not user.is_active:
        return
    try:
        send_code(user, CodePurpose.RESET)
    except TooManyAttempts:
        return


def reset_password(*, identifier: str, code: str, password: str):
    user, _value = _user_by_identifier(identifier)
    if user is None or not user.is_active:
        msg = _("Mã đã hết hạn hoặc không còn hiệu lực. Vui lòng yêu cầu mã mới.")
        raise ValidationFailed(msg, code="code_expired", fields={"code": [msg]})
    _check_password(password, user)
    check_code(user, CodePurpose.RESET, code)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


PROFILE_FIELDS = ("full_name", "id_number", "date_of_birth", "address", "phone", "email")


def update_profile(user, **values) -> CitizenProfile:
    """The profile that prefills every form; the ID number is the 12-digit personal number (CCCD)."""
    errors: dict[str, list[str]] = {}
    clean = {}
    full_name = " ".join(str(values.get("full_name") or "").split())
    if not full_name:
        errors["full_name"] = [_("Vui lòng nhập họ và tên.")]
    clean["full_name"] = full_name[:255]
    id_number = re.sub(r"\s", "", str(values.get("id_number") or ""))
    if id_number and not _ID_NUMBER.match(id_number):
        errors["id_number"] = [_("Số định danh cá nhân phải gồm đúng 12 chữ số.")]
    clean["id_number"] = id_number
    phone = normalize_phone(str(values.get("phone") or ""))
    if phone and not _PHONE.match(phone):
        errors["phone"] = [_("Số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0.")]
    clean["phone"] = phone
    email = str(values.get("email") or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = [_("Địa chỉ thư điện tử không hợp lệ.")]
    clean["email"] = email
    birth = values.get("date_of_birth")
    if birth and birth > timezone.localdate():
        errors["date_of_birth"] = [_("Ngày sinh không được ở tương lai.")]
    clean["date_of_birth"] = birth or None
    clean["address"] = " ".join(str(values.get("address") or "").split())[:500]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    with transaction.atomic():
        profile, _created = CitizenProfile.objects.select_for_update().get_or_create(
            user=user, defaults={"full_name": clean["full_name"]}
        )
        for name, value in clean.items():
            setattr(profile, name, value)
        profile.save()
    return profile


# --- drafts and online submission -------------------------------------------------------------------

DRAFT_KEYS = ("agency", "full_name", "id_number", "phone", "email", "address", "summary", "return_method",
              "return_address")


def _store_draft_files(draft: Draft, files: dict, stored: list[str], replaced: list[str]) -> None:
    known = {c.pk: c for c in draft.procedure.components.all()}
    checked = []
    for component_id, upload in files.items():
        component = known.get(int(component_id))
        if component is None or upload is None:
            continue
        content_type, safe_name = validate_upload(upload, field=f"file_{component.pk}")
        checked.append((component, upload, content_type, safe_name))
    for component, upload, content_type, safe_name in checked:
        saved = store_upload(upload, folder="drafts", content_type=content_type, safe_name=safe_name)
        stored.append(saved.name)
        old = DraftFile.objects.filter(draft=draft, component=component).first()
        if old is not None:
            replaced.append(old.file.name)
            old.delete()
        DraftFile.objects.create(draft=draft, component=component, file=saved.name,
                                 original_filename=saved.original_filename, content_type=saved.content_type,
                                 size=saved.size)


def save_draft(*, citizen, procedure, data: dict, files: dict | None = None, draft: Draft | None = None) -> Draft:
    """Keep what the citizen typed and uploaded, to finish later. Every file is checked first (413/415):
    a refused file leaves the draft as it was."""
    if draft is not None and draft.citizen_id != citizen.pk:
        raise NotFound(_("Không tìm thấy hồ sơ nháp."))
    values = {key: str(data.get(key) or "")[:2000] for key in DRAFT_KEYS}
    stored: list[str] = []
    replaced: list[str] = []
    try:
        with transaction.atomic():
            if draft is None:
                draft = Draft.objects.create(citizen=citizen, procedure=procedure, data=values)
            else:
                draft = Draft.objects.select_for_update().get(pk=draft.pk)
                draft.data = values
                draft.save(update_fields=["data", "updated_at"])
            _store_draft_files(draft, files or {}, stored, replaced)
            transaction.on_commit(lambda: delete_stored(replaced))
    except BaseException:
        delete_stored(stored)
        raise
    return draft


def discard_draft(draft: Draft, *, citizen) -> None:
    if draft.citizen_id != citizen.pk:
        raise NotFound(_("Không tìm thấy hồ sơ nháp."))
    with transaction.atomic():
        names = [f.file.name for f in draft.files.all()]
        draft.delete()
        transaction.on_commit(lambda: delete_stored(names))


def _open_draft_file(draft_file: DraftFile) -> File | None:
    try:
        handle = default_storage.open(draft_file.file.name, "rb")
    except FileNotFoundError:
        return None
    return File(handle, name=draft_file.original_filename or draft_file.file.name.rsplit("/", 1)[-1])


def submit_application(*, citizen, procedure, agency, applicant: dict, summary: str = "", return_method: str,
                       return_address: str = "", files: dict | None = None, draft: Draft | None = None,
                       idempotency_key: str = "") -> Dossier:
    """Send the e-form to the receiving agency (status 1) through `dossiers.services.submit_online`.

    Each component gets the file uploaded now or, failing that, the one kept in the draft. For a fully
    online procedure every required component needs its file; a partly online one may leave papers for
    the desk. The draft is deleted once the dossier exists.
    """
    from dossiers.services import submit_online

    if draft is not None and (draft.citizen_id != citizen.pk or draft.procedure_id != procedure.pk):
        raise NotFound(_("Không tìm thấy hồ sơ nháp."))
    files = {int(k): v for k, v in (files or {}).items() if v is not None}
    kept = {f.component_id: f for f in draft.files.all()} if draft is not None else {}
    errors: dict[str, list[str]] = {}
    if return_method == "post" and not (return_address or "").strip():
        errors["return_address"] = [_("Vui lòng nhập địa chỉ nhận kết quả qua bưu chính.")]
    components, opened = [], []
    try:
        for component in procedure.components.all():
            upload = files.get(component.pk)
            if upload is not None:
                # Checked here first so a refused file (413/415) is named by the form's own input.
                validate_upload(upload, field=f"file_{component.pk}")
            if upload is None and component.pk in kept:
                upload = _open_draft_file(kept[component.pk])
                if upload is not None:
                    opened.append(upload)
            if upload is None:
                if component.required and procedure.online_mode == "full":
                    errors[f"file_{component.pk}"] = [_("Vui lòng tải lên giấy tờ này.")]
                continue
            components.append({"component": component.pk, "file": upload})
        if errors:
            raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
        with transaction.atomic():
            dossier = submit_online(
                citizen=citizen, procedure=procedure, agency=agency, applicant=applicant, summary=summary,
                components=components, return_method=return_method, return_address=return_address,
                idempotency_key=idempotency_key,
            )
            if draft is not None:
                names = [f.file.name for f in kept.values()]
                Draft.objects.filter(pk=draft.pk).delete()
                transaction.on_commit(lambda: delete_stored(names))
    finally:
        for handle in opened:
            handle.close()
    return dossier


def _own(dossier: Dossier, citizen) -> Dossier:
    if citizen is None or not citizen.is_authenticated or dossier.citizen_id != citizen.pk:
        raise NotFound(_("Không tìm thấy hồ sơ."))
    return dossier


def answer_supplement(*, citizen, dossier: Dossier, files: list[tuple[str, object]]) -> Dossier:
    """The citizen sends the missing documents online; `supplement_received` closes the round and the
    dossier resumes (the clock restarts, Decree 61)."""
    from dossiers.services import supplement_received

    _own(dossier, citizen)
    components = [{"name": name, "kind": "copy", "file": upload} for name, upload in files if upload is not None]
    if not components:
        msg = _("Vui lòng tải lên ít nhất một giấy tờ bổ sung.")
        raise ValidationFailed(msg, code="required", fields={"files": [msg]})
    return supplement_received(dossier, actor=citizen, components=components)


# --- ratings ------------------------------------------------------------------------------------------

# Finished in the citizen's eyes: decided or returned, refused, stopped.
RATABLE_STATUSES = frozenset({3, 8, 9, 10})
RATING_SOURCES = ("online", "kiosk", "lookup")


def _clean_rating(values: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {}
    for name, choices, required in (
        ("overall", Overall, True), ("time_vs_promise", TimeVsPromise, False), ("visits", Visits, False),
        ("attitude", Attitude, False),
    ):
        value = str(values.get(name) or "").strip()
        if not value:
            if required:
                errors[name] = [_("Vui lòng chọn mức độ hài lòng.")]
            clean[name] = ""
            continue
        if value not in choices.values:
            errors[name] = [_("Giá trị không hợp lệ. Chọn một trong: %(v)s.") % {"v": ", ".join(choices.values)}]
        clean[name] = value
    comment = str(values.get("comment") or "").strip()
    if len(comment) > 2000:
        errors["comment"] = [_("Góp ý dài tối đa 2.000 ký tự.")]
    clean["comment"] = comment
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    return clean


def rate_dossier(dossier: Dossier, *, source: str = "online", **values) -> Rating:
    """The satisfaction rating of a finished dossier, once: a second one is 409 and changes nothing."""
    clean = _clean_rating(values)
    if dossier.status not in RATABLE_STATUSES:
        raise ActionNotAllowed(_("Chỉ đánh giá được hồ sơ đã giải quyết xong."), code="not_finished")
    if source not in RATING_SOURCES:
        source = "online"
    try:
        with transaction.atomic():
            if Rating.objects.filter(dossier_id=dossier.pk).exists():
                raise IntegrityError
            return Rating.objects.create(dossier_id=dossier.pk, source=source, **clean)
    except IntegrityError:
        raise ActionNotAllowed(_("Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ đánh giá một lần."),
                               code="already_rated") from None


def rate_own_dossier(*, citizen, dossier: Dossier, **values) -> Rating:
    _own(dossier, citizen)
    return rate_dossier(dossier, source="online", **values)


def rate_by_lookup(*, code: str, secret: str, client: str, **values) -> Rating:
    """Rating with the look-up pair (code and the phone's last four digits), no account needed."""
    from .lookup import find_dossier

    dossier = find_dossier(code, secret, client)
    return rate_dossier(dossier, source="lookup", **values)


def rate_at_kiosk(*, agency, dossier_id, **values) -> Rating:
    """The kiosk rates only the dossier it is showing: the one the desk has just closed."""
    from .selectors import kiosk_dossier

    current = kiosk_dossier(agency)
    if current is None or str(current.pk) != str(dossier_id):
        raise ActionNotAllowed(_("Phiên đánh giá đã kết thúc hoặc hồ sơ đã được đánh giá."), code="kiosk_expired")
    return rate_dossier(current, source="kiosk", **values)


# --- feedback and complaints (phản ánh, kiến nghị) ------------------------------------------------------

# Working days from receipt within which each decision is due.
FEEDBACK_REFUSE_DAYS = 2
FEEDBACK_INFO_DAYS = 5
FEEDBACK_ANSWER_DAYS = 15
OPEN_FEEDBACK = (FeedbackStatus.RECEIVED, FeedbackStatus.NEEDS_INFO)


def _clock():
    from worktime import services

    return services


def feedback_deadlines(received_at: datetime, agency) -> dict:
    """Refuse within 2, ask for more within 5, answer within 15 working days (8 working hours a day)."""
    add = _clock().add_working_hours
    return {
        "refuse_due_at": add(received_at, FEEDBACK_REFUSE_DAYS * 8, agency),
        "info_due_at": add(received_at, FEEDBACK_INFO_DAYS * 8, agency),
        "answer_due_at": add(received_at, FEEDBACK_ANSWER_DAYS * 8, agency),
    }


def _feedback_notice(feedback: Feedback, event: str, subject: str, body: str) -> None:
    """Tell the submitter by e-mail and SMS, and in the portal when they have an account."""
    subject, body = str(subject), str(body)
    base = f"feedback:{feedback.pk}:{event}"
    if feedback.email:
        queue_notice(event=event, channel=NoticeChannel.EMAIL, recipient=feedback.email, subject=subject, body=body,
                     dedupe_key=f"{base}:email", dossier=feedback.dossier, user=feedback.citizen)
    if feedback.phone:
        queue_notice(event=event, channel=NoticeChannel.SMS, recipient=feedback.phone, subject=subject, body=body,
                     dedupe_key=f"{base}:sms", dossier=feedback.dossier, user=feedback.citizen)
    if feedback.citizen_id:
        queue_notice(event=event, channel=NoticeChannel.IN_APP, recipient=feedback.citizen.get_username(),
                     subject=subject, body=body, dedupe_key=f"{base}:in_app", dossier=feedback.dossier,
                     user=feedback.citizen)


def submit_feedback(*, agency, subject: str, body: str, name: str, phone: str = "", email: str = "",
                    citizen=None, dossier: Dossier | None = None, is_complaint: bool = True,
                    now: datetime | None = None) -> Feedback:
    """Feedback from anyone; about a dossier only when it is the signed-in citizen's own (then the
    dossier's receiving agency handles it)."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    subject = " ".join((subject or "").split())
    body = (body or "").strip()
    phone = normalize_phone(phone)
    email = (email or "").strip().lower()
    if not name:
        errors["name"] = [_("Vui lòng nhập họ và tên.")]
    if not subject:
        errors["subject"] = [_("Vui lòng nhập tiêu đề.")]
    elif len(subject) > 255:
        errors["subject"] = [_("Tiêu đề dài tối đa 255 ký tự.")]
    if not body:
        errors["body"] = [_("Vui lòng nhập nội dung phản ánh, kiến nghị.")]
    elif len(body) > 10000:
        errors["body"] = [_("Nội dung dài tối đa 10.000 ký tự.")]
    if phone and not _PHONE.match(phone):
        errors["phone"] = [_("Số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0.")]
    if email:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors["email"] = [_("Địa chỉ thư điện tử không hợp lệ.")]
    if not phone and not email and citizen is None:
        errors["phone"] = [_("Vui lòng để lại số điện thoại hoặc thư điện tử để nhận trả lời.")]
    if dossier is not None:
        if citizen is None or dossier.citizen_id != citizen.pk:
            errors["dossier"] = [_("Chỉ phản ánh được về hồ sơ của chính mình.")]
        else:
            agency = dossier.agency
    if agency is None:
        errors["agency"] = [_("Vui lòng chọn cơ quan nhận phản ánh.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    with transaction.atomic():
        feedback = Feedback.objects.create(
            citizen=citizen if citizen is not None and citizen.is_authenticated else None, dossier=dossier,
            agency=agency, name=name[:255], phone=phone, email=email, subject=subject, body=body,
            is_complaint=bool(is_complaint), received_at=now, access_token=secrets.token_urlsafe(24),
            **feedback_deadlines(now, agency),
        )
        with translation.override(settings.LANGUAGE_CODE):
            _feedback_notice(
                feedback, "feedback_received", _("Đã tiếp nhận phản ánh, kiến nghị số %(n)d") % {"n": feedback.pk},
                _("%(agency)s đã tiếp nhận phản ánh, kiến nghị “%(subject)s” của ông/bà (số %(n)d). Thời hạn trả "
                  "lời: %(due)s.") % {"agency": agency.name, "subject": subject, "n": feedback.pk,
                                      "due": timezone.localtime(feedback.answer_due_at).strftime("%d/%m/%Y")},
            )
            _tell_staff_of_feedback(feedback)
    return feedback


def _tell_staff_of_feedback(feedback: Feedback) -> None:
    """An in-app notice to the agency's desk officers and heads, who triage it."""
    from organisation.models import Role, StaffMembership

    subject = _("Phản ánh, kiến nghị mới số %(n)d") % {"n": feedback.pk}
    body = _("“%(s)s” – hạn trả lời %(due)s.") % {
        "s": feedback.subject, "due": timezone.localtime(feedback.answer_due_at).strftime("%d/%m/%Y")}
    members = (StaffMembership.objects.filter(agency=feedback.agency, role__in=[Role.DESK_OFFICER, Role.HEAD],
                                              user__is_active=True)
               .select_related("user").order_by("user_id"))
    for user in {m.user_id: m.user for m in members}.values():
        queue_notice(event="feedback_new", channel=NoticeChannel.IN_APP, recipient=user.get_username(),
                     subject=subject, body=body, dedupe_key=f"feedback:{feedback.pk}:new:user:{user.pk}", user=user)


def _lock_feedback(feedback: Feedback, actor) -> Feedback:
    from organisation.selectors import scoped_agency_ids

    fresh = (Feedback.objects.select_for_update(of=("self",)).select_related("agency", "citizen", "dossier")
             .get(pk=feedback.pk))
    scope = scoped_agency_ids(actor)
    if scope is not None and fresh.agency_id not in scope:
        raise NotFound(_("Không tìm thấy phản ánh, kiến nghị."))
    return fresh


def _require_open(feedback: Feedback, allowed=OPEN_FEEDBACK) -> None:
    if feedback.status not in allowed:
        raise ActionNotAllowed(
            _("Không thể thực hiện khi phản ánh đang ở trạng thái “%(s)s”.") % {"s": feedback.get_status_display()},
            code="action_not_allowed",
        )


def _text(value, field: str, message: str, limit: int = 10000) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, code="required", fields={field: [message]})
    if len(text) > limit:
        msg = _("Nội dung dài tối đa %(n)d ký tự.") % {"n": limit}
        raise ValidationFailed(msg, fields={field: [msg]})
    return text


def refuse_feedback(feedback: Feedback, *, actor, reason: str, now: datetime | None = None) -> Feedback:
    """Not accepted for handling, with the reason; late if decided after the two working days."""
    reason = _text(reason, "reason", _("Vui lòng nêu lý do không tiếp nhận."))
    now = now or timezone.now()
    with transaction.atomic():
        fb = _lock_feedback(feedback, actor)
        _require_open(fb, (FeedbackStatus.RECEIVED,))
        fb.status, fb.refusal_reason, fb.handled_at, fb.handled_by = FeedbackStatus.REFUSED, reason, now, actor
        fb.is_late = bool(fb.refuse_due_at and now > fb.refuse_due_at)
        fb.save()
        with translation.override(settings.LANGUAGE_CODE):
            _feedback_notice(fb, "feedback_refused", _("Phản ánh, kiến nghị số %(n)d không được tiếp nhận") % {"n": fb.pk},
                             _("Phản ánh “%(s)s” không được tiếp nhận xử lý. Lý do: %(r)s") % {"s": fb.subject, "r": reason})
    return fb


def request_feedback_info(feedback: Feedback, *, actor, question: str, now: datetime | None = None) -> Feedback:
    """Ask the submitter for more information; the answer is due 15 working days after their reply."""
    question = _text(question, "question", _("Vui lòng nêu thông tin cần bổ sung."))
    now = now or timezone.now()
    with transaction.atomic():
        fb = _lock_feedback(feedback, actor)
        _require_open(fb, (FeedbackStatus.RECEIVED,))
        fb.status, fb.info_request, fb.info_requested_at, fb.handled_by = FeedbackStatus.NEEDS_INFO, question, now, actor
        fb.is_late = bool(fb.info_due_at and now > fb.info_due_at)
        fb.save()
        with translation.override(settings.LANGUAGE_CODE):
            _feedback_notice(fb, f"feedback_info_{int(now.timestamp())}",
                             _("Phản ánh, kiến nghị số %(n)d cần bổ sung thông tin") % {"n": fb.pk},
                             _("Để xử lý phản ánh “%(s)s”, đề nghị ông/bà bổ sung: %(q)s") % {"s": fb.subject, "q": question})
    return fb


def reply_feedback_info(feedback: Feedback, *, text: str, now: datetime | None = None) -> Feedback:
    """The submitter's additional information: back to the agency's queue, the answer clock restarts."""
    text = _text(text, "reply", _("Vui lòng nhập thông tin bổ sung."))
    now = now or timezone.now()
    with transaction.atomic():
        fb = Feedback.objects.select_for_update(of=("self",)).select_related("agency").get(pk=feedback.pk)
        _require_open(fb, (FeedbackStatus.NEEDS_INFO,))
        stamp = timezone.localtime(now).strftime("%H:%M %d/%m/%Y")
        fb.citizen_reply = f"{fb.citizen_reply}\n[{stamp}] {text}".strip()
        fb.replied_at = now
        fb.status = FeedbackStatus.RECEIVED
        fb.answer_due_at = _clock().add_working_hours(now, FEEDBACK_ANSWER_DAYS * 8, fb.agency)
        fb.is_late = False
        fb.late_notified_at = None
        fb.save()
    return fb


def answer_feedback(feedback: Feedback, *, actor, answer: str, publish: bool = False,
                    now: datetime | None = None) -> Feedback:
    """The agency's answer, sent to the submitter; published on the portal when chosen."""
    answer = _text(answer, "answer", _("Vui lòng nhập nội dung trả lời."), limit=20000)
    now = now or timezone.now()
    with transaction.atomic():
        fb = _lock_feedback(feedback, actor)
        _require_open(fb)
        fb.status, fb.answer, fb.answered_at, fb.answered_by = FeedbackStatus.ANSWERED, answer, now, actor
        fb.handled_at, fb.handled_by = now, actor
        fb.is_late = bool(fb.answer_due_at and now > fb.answer_due_at)
        fb.published = bool(publish)
        fb.save()
        with translation.override(settings.LANGUAGE_CODE):
            _feedback_notice(fb, "feedback_answered", _("Trả lời phản ánh, kiến nghị số %(n)d") % {"n": fb.pk},
                             _("%(agency)s trả lời phản ánh “%(s)s”: %(a)s") % {"agency": fb.agency.name, "s": fb.subject,
                                                                                "a": answer})
    return fb


def set_feedback_published(feedback: Feedback, *, actor, published: bool) -> Feedback:
    with transaction.atomic():
        fb = _lock_feedback(feedback, actor)
        _require_open(fb, (FeedbackStatus.ANSWERED,))
        fb.published = bool(published)
        fb.save(update_fields=["published"])
    return fb


def rate_feedback_answer(feedback: Feedback, *, rating: str) -> Feedback:
    """The submitter's satisfaction with the answer (counts in the 766 index), once."""
    if rating not in Overall.values:
        msg = _("Vui lòng chọn mức độ hài lòng.")
        raise ValidationFailed(msg, fields={"rating": [msg]})
    with transaction.atomic():
        fb = Feedback.objects.select_for_update().get(pk=feedback.pk)
        _require_open(fb, (FeedbackStatus.ANSWERED,))
        if fb.answer_rating:
            raise ActionNotAllowed(_("Câu trả lời này đã được đánh giá."), code="already_rated")
        fb.answer_rating = rating
        fb.save(update_fields=["answer_rating"])
    return fb


# --- desk appointments ----------------------------------------------------------------------------------


def _booking_contact(citizen, name: str, phone: str, email: str) -> tuple[str, str, str]:
    if citizen is not None and citizen.is_authenticated:
        profile = CitizenProfile.objects.filter(user=citizen).first()
        name = name or (profile.full_name if profile else "") or display_name(citizen)
        phone = phone or (profile.phone if profile else "")
        email = email or (profile.email if profile else "") or citizen.email
        if not phone and _PHONE.match(citizen.get_username()):
            phone = citizen.get_username()
    return " ".join((name or "").split()), normalize_phone(phone), (email or "").strip().lower()


def book_slot(slot: Slot, *, citizen=None, name: str = "", phone: str = "", email: str = "", procedure=None,
              now: datetime | None = None) -> Booking:
    """Take one place in a slot. The place is taken by one conditional UPDATE (`booked < capacity`), so
    however many people press at once, a slot of five gives exactly five bookings."""
    now = now or timezone.now()
    if citizen is not None and not citizen.is_authenticated:
        citizen = None
    name, phone, email = _booking_contact(citizen, name, phone, email)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Vui lòng nhập họ và tên.")]
    if not _PHONE.match(phone):
        errors["phone"] = [_("Vui lòng nhập số điện thoại 10 chữ số để nhận nhắc lịch.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    if slot.start <= now:
        raise ActionNotAllowed(_("Khung giờ này đã qua, vui lòng chọn khung giờ khác."), code="slot_past")
    try:
        with transaction.atomic():
            taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
            if not taken:
                raise ActionNotAllowed(_("Khung giờ này đã đủ chỗ, vui lòng chọn khung giờ khác."), code="slot_full")
            return Booking.objects.create(slot=slot, citizen=citizen, name=name[:255], phone=phone, email=email,
                                          procedure=procedure)
    except IntegrityError:
        raise ActionNotAllowed(_("Ông/bà đã đặt lịch trong khung giờ này."), code="already_booked") from None


def cancel_booking(booking: Booking, *, actor=None, phone: str = "", now: datetime | None = None) -> Booking:
    """Cancel and give the place back. The owner (account, or the phone number it was booked with) or a
    desk officer of the desk's agency may cancel; cancelling twice gives back one place only."""
    from organisation.selectors import scoped_agency_ids

    now = now or timezone.now()
    allowed = False
    if actor is not None and actor.is_authenticated:
        if booking.citizen_id == actor.pk:
            allowed = True
        else:
            scope = scoped_agency_ids(actor)
            allowed = scope is None or booking.slot.desk.agency_id in scope
    if not allowed and phone and booking.citizen_id is None:
        allowed = hmac.compare_digest(normalize_phone(phone), booking.phone)
    if not allowed:
        raise NotAllowed(_("Ông/bà không thể hủy lịch hẹn này."))
    with transaction.atomic():
        changed = Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
            status=BookingStatus.CANCELLED, cancelled_at=now
        )
        if changed:
            Slot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    booking.refresh_from_db()
    return booking


def create_slots(*, desk, day, start: str, end: str, minutes: int, capacity: int) -> list[Slot]:
    """Slots of `minutes` from `start` to `end` (HH:MM, local time) on `day`; existing ones are kept."""
    from datetime import datetime as dt
    from datetime import time

    errors: dict[str, list[str]] = {}
    try:
        t0, t1 = time.fromisoformat(start), time.fromisoformat(end)
        if t1 <= t0:
            errors["end"] = [_("Giờ kết thúc phải sau giờ bắt đầu.")]
    except (TypeError, ValueError):
        errors["start"] = [_("Giờ phải theo dạng HH:MM.")]
        t0 = t1 = None
    if not isinstance(minutes, int) or not 5 <= minutes <= 240:
        errors["minutes"] = [_("Độ dài khung giờ từ 5 đến 240 phút.")]
    if not isinstance(capacity, int) or not 1 <= capacity <= 100:
        errors["capacity"] = [_("Số chỗ từ 1 đến 100.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    zone = timezone.get_current_timezone()
    cursor = timezone.make_aware(dt.combine(day, t0), zone)
    stop_at = timezone.make_aware(dt.combine(day, t1), zone)
    made = []
    with transaction.atomic():
        while cursor + timedelta(minutes=minutes) <= stop_at:
            slot, _created = Slot.objects.get_or_create(
                desk=desk, start=cursor, defaults={"end": cursor + timedelta(minutes=minutes), "capacity": capacity}
            )
            made.append(slot)
            cursor += timedelta(minutes=minutes)
    return made
