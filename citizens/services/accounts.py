"""Accounts: sign-up and its codes, log-in identifiers, the profile, password reset."""

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
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notices.models import NoticeChannel
from notices.services import queue_notice
from organisation.errors import ValidationFailed

from ..errors import TooManyAttempts
from ..models import (
    CitizenProfile,
    CodePurpose,
    VerificationCode,
)
from ..rules import ID_NUMBER, is_mobile, normalize_phone

CODE_TTL = timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_AFTER = timedelta(seconds=60)
CODES_PER_HOUR = 5



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
    if not is_mobile(phone):
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
    if id_number and not ID_NUMBER.match(id_number):
        errors["id_number"] = [_("Số định danh cá nhân phải gồm đúng 12 chữ số.")]
    clean["id_number"] = id_number
    phone = normalize_phone(str(values.get("phone") or ""))
    if phone and not is_mobile(phone):
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
