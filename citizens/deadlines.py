"""The feedback deadlines (phản ánh, kiến nghị): refuse within 2, ask for more within 5, answer within 15
working days from receipt, on the working-time clock of the receiving agency.

The due times are computed once, when the feedback arrives (`services.feedback_deadlines`), and stored
on the row, so "late" is a plain indexed filter. `sweep_feedback` is the periodic part: it flags the
feedback still waiting for an answer past its answer due time and tells the agency's desk officers and
heads, in a constant number of queries whatever the number of rows. While the agency waits for the
submitter's extra information (`needs_info`) the feedback is not swept: the answer clock restarts
from the submitter's reply.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from notices.messages import fmt_time, render
from notices.models import Notice, NoticeChannel, NoticeStatus
from organisation.models import Role, StaffMembership

from .models import Feedback, FeedbackStatus

LATE_RECIPIENT_ROLES = (Role.DESK_OFFICER, Role.HEAD)


def sweep_feedback(now: datetime | None = None) -> int:
    """Flag open feedback past its answer due time as late and notify the agency's staff; returns how
    many were flagged now. Rows being edited are skipped (SKIP LOCKED) and taken by the next sweep; a
    second sweep finds nothing to do and writes no notice (the flag, and each notice's unique key)."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Feedback.objects.select_for_update(skip_locked=True)
            .filter(status=FeedbackStatus.RECEIVED, is_late=False, answer_due_at__lt=now)
            .values_list("id", "agency_id", "subject", "answer_due_at")
        )
        if not rows:
            return 0
        Feedback.objects.filter(pk__in=[r[0] for r in rows]).update(is_late=True, late_notified_at=now)
        staff: dict[int, list[tuple[int, str]]] = {}
        for agency_id, user_id, username in (
            StaffMembership.objects.filter(agency_id__in={r[1] for r in rows}, role__in=LATE_RECIPIENT_ROLES,
                                           user__is_active=True)
            .values_list("agency_id", "user_id", "user__username").distinct()
        ):
            staff.setdefault(agency_id, []).append((user_id, username))
        notices = []
        for feedback_id, agency_id, subject, due in rows:
            title, body = render("feedback_late", {"n": feedback_id, "subject": subject, "due": fmt_time(due)})
            for user_id, username in staff.get(agency_id, []):
                notices.append(Notice(
                    event="feedback_late", channel=NoticeChannel.IN_APP, recipient=username[:255],
                    user_id=user_id, subject=title[:255], body=body, status=NoticeStatus.SENT, sent_at=now,
                    dedupe_key=f"feedback:{feedback_id}:late:{due.isoformat()}:user:{user_id}"[:255],
                ))
        Notice.objects.bulk_create(notices, ignore_conflicts=True)
    return len(rows)
