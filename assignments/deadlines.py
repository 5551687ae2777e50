"""The task sweep: flags tasks passing their due-soon point and their deadline, and the weekly digest.

The same pattern as `dossiers.deadlines`: each phase is one transaction with one UPDATE … RETURNING (on
a SKIP LOCKED sub-select, reading the partial indexes of unflagged open tasks) joined to the heads of
the lead unit, plus one INSERT of all the phase's notices (`notices.services.write_notices`, ON CONFLICT
DO NOTHING on the dedupe key). A constant number of queries whatever the number of tasks; a second run
at the same moment changes and writes nothing. An extension clears both flags (services._set_deadline),
so the new deadline is swept afresh, and the dedupe key names the deadline it is about.

Only open tasks are swept: a task whose completion was reported waits for the assigner, not for the
lead unit; if the report is sent back the task is open again and the next sweep flags it.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from notices.models import NoticeChannel
from notices.services import NoticeRow, write_notices
from organisation.models import Agency, Role, StaffMembership

from . import rules
from .messages import fmt_date, render
from .models import Task

log = logging.getLogger(__name__)


@dataclass
class TaskSweepResult:
    due_soon: int = 0
    late: int = 0
    notices: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


_PHASE = """
WITH hit AS (
    UPDATE {task} t SET {flag} = TRUE
    WHERE t.id = ANY(ARRAY(
        SELECT id FROM {task}
        WHERE status = %(open)s AND {moment} IS NOT NULL AND {moment} <= %(now)s AND NOT {flag}
        FOR UPDATE SKIP LOCKED
    ))
    RETURNING t.id, t.title, t.due_on, t.due_at, t.lead_agency_id, t.assigner_id
)
SELECT hit.id, hit.title, hit.due_on, a.name, r.id, r.{username}, ({tell})
FROM hit
JOIN {agency} a ON a.id = hit.assigner_id
LEFT JOIN LATERAL (
    SELECT u.id, u.{username} FROM {user} u
    WHERE u.is_active AND u.id IN (
        SELECT m.user_id FROM {membership} m WHERE m.agency_id = hit.lead_agency_id AND m.role = %(head)s)
) r ON TRUE
ORDER BY hit.id, r.id
"""


def _sql(flag: str, moment: str, tell: str) -> str:
    user = get_user_model()
    return _PHASE.format(task=Task._meta.db_table, agency=Agency._meta.db_table, user=user._meta.db_table,
                         membership=StaffMembership._meta.db_table, flag=flag, moment=moment, tell=tell,
                         username=user._meta.get_field(user.USERNAME_FIELD).column)


def _rows_one_by_one(now: datetime, late: bool) -> list[tuple]:
    """The same phase through the ORM (the embedded SQLite demo)."""
    flag, moment = ("is_late", "due_at") if late else ("is_due_soon", "due_soon_at")
    hits = list(Task.objects.select_for_update().select_related("assigner")
                .filter(status=rules.OPEN, **{f"{moment}__isnull": False, f"{moment}__lte": now, flag: False})
                .order_by("pk"))
    Task.objects.filter(pk__in=[t.pk for t in hits]).update(**{flag: True})
    heads: dict[int, list] = {}
    for agency_id, user_id, username in StaffMembership.objects.filter(
            agency_id__in={t.lead_agency_id for t in hits}, role=Role.HEAD, user__is_active=True
    ).values_list("agency_id", "user_id", "user__username"):
        heads.setdefault(agency_id, []).append((user_id, username))
    rows = []
    for t in hits:
        tell = late or (t.due_at is not None and t.due_at > now)
        for user_id, username in heads.get(t.lead_agency_id) or [(None, None)]:
            rows.append((t.pk, t.title, t.due_on, t.assigner.name, user_id, username, tell))
    return rows


def _phase(now: datetime, *, late: bool, set_based: bool | None) -> tuple[int, int]:
    set_based = connection.vendor == "postgresql" if set_based is None else set_based
    event = "task_late" if late else "task_due_soon"
    with transaction.atomic():
        if set_based:
            sql = _sql("is_late", "due_at", "TRUE") if late else _sql("is_due_soon", "due_soon_at",
                                                                      "hit.due_at > %(now)s")
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute(sql, {"now": now, "open": rules.OPEN, "head": Role.HEAD.value})
                rows = cursor.fetchall()
        else:
            rows = _rows_one_by_one(now, late)
        notices = []
        for task_id, title, due_on, assigner, user_id, username, tell in rows:
            if not tell or user_id is None:
                continue
            subject, body = render(event, {"title": title, "assigner": assigner, "due": fmt_date(due_on)})
            notices.append(NoticeRow(event=event, channel=NoticeChannel.IN_APP, recipient=username, subject=subject,
                                     body=body, user_id=user_id,
                                     dedupe_key=f"task:{task_id}:{event}:{due_on.isoformat()}:user:{user_id}"))
        written = len(write_notices(notices)) if set_based else _write_orm(notices)
    return len({row[0] for row in rows}), written


def _write_orm(notices: list[NoticeRow]) -> int:
    from notices.services import queue_notice

    count = 0
    for n in notices:
        before = n.dedupe_key
        from notices.models import Notice

        if Notice.objects.filter(dedupe_key=before).exists():
            continue
        queue_notice(event=n.event, channel=n.channel, recipient=n.recipient, subject=n.subject, body=n.body,
                     dedupe_key=n.dedupe_key, user=get_user_model().objects.get(pk=n.user_id))
        count += 1
    return count


def sweep(now: datetime | None = None, *, set_based: bool | None = None) -> TaskSweepResult:
    """Flag and warn about every open task whose due-soon point or deadline has passed by `now`."""
    now = now or timezone.now()
    result = TaskSweepResult()
    result.due_soon, n1 = _phase(now, late=False, set_based=set_based)
    result.late, n2 = _phase(now, late=True, set_based=set_based)
    result.notices = n1 + n2
    if result.due_soon or result.late:
        log.info("task sweep at %s: %s", now.isoformat(), result.as_dict())
    return result


def weekly_digest(now: datetime | None = None) -> int:
    """One in-app digest per lead unit's head a week (ISO week in the key): open, due soon, late, waiting."""
    from .selectors import digest_counts
    from .services import heads_of

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    year, week, _day = today.isocalendar()
    names = dict(Agency.objects.values_list("id", "name"))
    notices = []
    with transaction.atomic():
        for row in digest_counts(today):
            agency = names.get(row["lead_agency_id"], "")
            subject, body = render("task_digest", {"week": f"{week}/{year}", "agency": agency, "open": row["open"],
                                                   "due_soon": row["due_soon"], "late": row["late"],
                                                   "waiting": row["waiting"]})
            for user in heads_of(row["lead_agency_id"]):
                notices.append(NoticeRow(event="task_digest", channel=NoticeChannel.IN_APP,
                                         recipient=user.get_username(), subject=subject, body=body, user_id=user.pk,
                                         dedupe_key=f"task-digest:{row['lead_agency_id']}:{year}-W{week:02d}"
                                                    f":user:{user.pk}"))
        if connection.vendor == "postgresql":
            return len(write_notices(notices))
        return _write_orm(notices)
