"""Every write of the citizens' portal, one module per room, one function per action, each in one
transaction:

- `accounts`: sign-up and its codes, log-in identifiers, the profile, password reset;
- `submission`: drafts, the online submission, supplement answers;
- `ratings`: satisfaction ratings (online, by look-up, at the kiosk);
- `feedback`: feedback and complaints (phản ánh, kiến nghị);
- `bookings`: desk appointments.

Dossier state changes are never made here: submission and supplements go through `dossiers.services`,
which own the transition table, the timeline and the notices. What these modules add is the citizen's
side: the checks that the dossier is theirs, the files kept between two visits, and the portal's own
records (codes, drafts, ratings, feedback, bookings). The pure rules they share with the selectors (phone
and ID number formats, which statuses can be rated) are in `citizens.rules`.

The public names are re-exported here, so `from citizens import services; services.sign_up(...)` works.
"""

from ..rules import RATABLE_STATUSES, normalize_phone
from .accounts import (
    CODE_MAX_ATTEMPTS,
    CODE_RESEND_AFTER,
    CODE_TEXTS,
    CODE_TTL,
    CODES_PER_HOUR,
    PROFILE_FIELDS,
    check_code,
    parse_identifier,
    request_password_reset,
    resend_signup_code,
    reset_password,
    send_code,
    sign_up,
    update_profile,
    verify_account,
)
from .bookings import book_slot, cancel_booking, create_slots
from .feedback import (
    FEEDBACK_ANSWER_DAYS,
    FEEDBACK_INFO_DAYS,
    FEEDBACK_REFUSE_DAYS,
    OPEN_FEEDBACK,
    answer_feedback,
    feedback_deadlines,
    rate_feedback_answer,
    refuse_feedback,
    reply_feedback_info,
    request_feedback_info,
    set_feedback_published,
    submit_feedback,
)
from .ratings import RATING_SOURCES, rate_at_kiosk, rate_by_lookup, rate_dossier, rate_own_dossier
from .submission import DRAFT_KEYS, answer_supplement, discard_draft, save_draft, submit_application

__all__ = [
    "CODES_PER_HOUR", "CODE_MAX_ATTEMPTS", "CODE_RESEND_AFTER", "CODE_TEXTS", "CODE_TTL", "DRAFT_KEYS",
    "FEEDBACK_ANSWER_DAYS", "FEEDBACK_INFO_DAYS", "FEEDBACK_REFUSE_DAYS", "OPEN_FEEDBACK", "PROFILE_FIELDS",
    "RATABLE_STATUSES", "RATING_SOURCES", "answer_feedback", "answer_supplement", "book_slot", "cancel_booking",
    "check_code", "create_slots", "discard_draft", "feedback_deadlines", "normalize_phone", "parse_identifier",
    "rate_at_kiosk", "rate_by_lookup", "rate_dossier", "rate_feedback_answer", "rate_own_dossier",
    "refuse_feedback", "reply_feedback_info", "request_feedback_info", "request_password_reset",
    "resend_signup_code", "reset_password", "save_draft", "send_code", "set_feedback_published", "sign_up",
    "submit_application", "submit_feedback", "update_profile", "verify_account",
]
