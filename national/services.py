"""The writes of the national sync: the outbox row written with each change, delivery under a lease,
the sweeper, the administrator's resend and the mapping refresh. Inbound dossiers: `national.inbound`.

Guarantees (api.md): every change of a dossier is an outbox row written in the same transaction as the
change, so a change that happened is never lost and one that was rolled back is never sent. Rows of one
dossier go out in the order of their ids, one at a time, by the one worker holding the dossier's lease
(`SyncState.lease_*`, taken by a compare-and-set UPDATE, so no transaction stays open during a call and a
killed worker's lease simply runs out). A failed row stays at the head of its dossier's queue: the later
rows wait behind it and follow as soon as it goes through. Failures back off (base, 2×, 4× … capped)
and are never given up on; the sweeper hands back whatever is due, including the backlog written while
`DVCQG_URL` was empty.

At-least-once corner: a worker killed after the national portal accepted a call but before the commit
sends that call again (DongBoHoSoMC is an upsert by MaHoSo there; a repeated progress entry carries the
same ThoiDiemXuLy). Timeouts and the short lease keep the window small.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import rules
from .client import NationalClient, NationalError
from .models import OutboxEntry, ProcedureMapping, SyncState
from .payloads import NoNationalCode, dossier_object, progress_entry, snapshot_of
from .selectors import outbox_services

log = logging.getLogger(__name__)

NO_NATIONAL_CODE = rules.NO_NATIONAL_CODE
# The worker's tasks (`national.tasks`), published by name: the tasks call these services, never the reverse.
DELIVER_DOSSIER = "national.tasks.deliver_dossier"
SWEEP_OUTBOX = "national.tasks.sweep_outbox"
# Rows younger than this are left to the task their own transaction enqueued.
STUCK_AFTER = timedelta(seconds=20)
# At most this many rows are sent per task run; the task hands itself back for the rest.
ROWS_PER_RUN = 200
# Consecutive progress entries of one dossier travel together in one CapNhatTienDoHoSoMC call (in order).
PROGRESS_BATCH = 20


def sync_enabled() -> bool:
    return bool(settings.DVCQG_URL)


def lease_length() -> timedelta:
    return timedelta(seconds=max(float(settings.DVCQG_LEASE_SECONDS), 2 * float(settings.DVCQG_TIMEOUT_SECONDS) + 1))


def retry_wait(attempts: int) -> timedelta:
    return rules.backoff(attempts, float(settings.DVCQG_RETRY_BASE_SECONDS), float(settings.DVCQG_RETRY_MAX_SECONDS))


# --- writing the outbox (inside the dossier service's transaction) -----------------------------------


def record_dossier_event(dossier, event) -> None:
    """The one call the dossier services make per timeline event: the national portal's calls for it,
    as outbox rows, in one INSERT, in the caller's transaction; their delivery enqueued on commit."""
    services = outbox_services(dossier, event)
    if not services:
        return
    snapshot = snapshot_of(dossier, event)
    now = timezone.now()
    OutboxEntry.objects.bulk_create([
        OutboxEntry(dossier_id=dossier.pk, event_id=event.pk, service=service, snapshot=snapshot, created_at=now)
        for service in services
    ])
    if sync_enabled():
        dossier_id = dossier.pk
        transaction.on_commit(lambda: publish(dossier_id))


def publish(dossier_id: int, countdown: float | None = None) -> bool:
    """Hand the dossier's queue to Celery; a broker fault is logged and left to the sweeper."""
    try:
        current_app.signature(DELIVER_DOSSIER, args=(dossier_id,)).apply_async(countdown=countdown, retry=False)
    except Exception as exc:  # noqa: BLE001 - any broker fault leaves the rows for the sweeper
        log.warning("national sync of dossier %s left to the sweeper: broker unavailable (%s)", dossier_id, exc)
        return False
    return True


# --- the lease -------------------------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _state(dossier_id: int) -> None:
    try:
        SyncState.objects.get_or_create(dossier_id=dossier_id)
    except IntegrityError:  # made by another worker at the same moment
        pass


def claim(dossier_id: int, owner: str) -> bool:
    """Take the dossier's lease if nobody holds it (or the holder's ran out). One UPDATE: compare-and-set."""
    _state(dossier_id)
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now) | Q(lease_owner=owner)
    return SyncState.objects.filter(Q(pk=dossier_id) & free).update(
        lease_owner=owner, lease_until=now + lease_length()) == 1


def _renew(dossier_id: int, owner: str) -> bool:
    return SyncState.objects.filter(pk=dossier_id, lease_owner=owner).update(
        lease_until=timezone.now() + lease_length()) == 1


def _release(dossier_id: int, owner: str) -> None:
    SyncState.objects.filter(pk=dossier_id, lease_owner=owner).update(lease_owner="", lease_until=None)


# --- delivery --------------------------------------------------------------------------------------


class Outcome:
    OFF = "off"  # DVCQG_URL empty: nothing sent, nothing lost
    DONE = "done"  # the queue is empty
    BUSY = "busy"  # another worker holds the lease
    RETRY = "retry"  # the head failed; retried after the backoff
    WAITING = "waiting"  # the head is backing off
    BLOCKED = "blocked"  # no national code for the procedure
    MORE = "more"  # rows left after this run's share


def _load(dossier_id: int):
    from dossiers.models import Dossier

    dossier = (Dossier.objects.select_related("procedure__field", "procedure__national_mapping", "agency",
                                              "current_agency").filter(pk=dossier_id).first())
    if dossier is None:
        return None, [], []
    components = list(dossier.components.order_by("id"))
    steps = list(dossier.steps.select_related("agency", "department").order_by("order"))
    return dossier, components, steps


def _head(dossier_id: int) -> OutboxEntry | None:
    return (OutboxEntry.objects.select_related("event").filter(dossier_id=dossier_id, sent_at__isnull=True)
            .order_by("id").first())


def _next_batch(dossier_id: int) -> list[OutboxEntry]:
    """The head of the dossier's queue, and the progress entries right behind a progress head."""
    rows = list(OutboxEntry.objects.select_related("event").filter(dossier_id=dossier_id, sent_at__isnull=True)
                .order_by("id")[:PROGRESS_BATCH])
    batch = rows[:1]
    if batch and batch[0].service == rules.PROGRESS:
        for row in rows[1:]:
            if row.service != rules.PROGRESS:
                break
            batch.append(row)
    return batch


def _send(client: NationalClient, batch: list[OutboxEntry], dossier, components, steps, held: bool) -> None:
    entry = batch[0]
    if entry.service == rules.SYNC_DOSSIER:
        client.sync_dossiers([dossier_object(dossier, entry.snapshot, components, steps)], updating=held)
    else:
        client.progress([progress_entry(dossier, row.event, row.snapshot, steps) for row in batch])


def _succeeded(batch: list[OutboxEntry], owner: str) -> None:
    now = timezone.now()
    entry = batch[0]
    with transaction.atomic():
        OutboxEntry.objects.filter(pk__in=[row.pk for row in batch], sent_at__isnull=True).update(
            sent_at=now, attempts=entry.attempts + 1, last_error="", next_attempt_at=None)
        values = {"synced_at": now, "last_error": "", "attempts": 0, "retry_at": None}
        if entry.service == rules.SYNC_DOSSIER:
            values["held_since"] = Coalesce("held_since", now)
        SyncState.objects.filter(pk=entry.dossier_id).update(**values)
        if entry.service == rules.SYNC_DOSSIER:  # held by the portal: 766 indicator 1.4's monthly rows
            from dossiers.models import Dossier
            from reporting.rollup import refresh_dossier

            refresh_dossier(Dossier.objects.only("received_at", "agency_id", "procedure_id", "channel")
                            .get(pk=entry.dossier_id))


def _failed(entry: OutboxEntry, reason: str, *, blocked: bool = False) -> datetime:
    now = timezone.now()
    attempts = entry.attempts if blocked else entry.attempts + 1
    wait = retry_wait(max(attempts, 1)) if not blocked else timedelta(seconds=float(settings.DVCQG_RETRY_MAX_SECONDS))
    at = now + wait
    with transaction.atomic():
        OutboxEntry.objects.filter(pk=entry.pk, sent_at__isnull=True).update(
            attempts=attempts, last_error=reason[:2000], next_attempt_at=at)
        SyncState.objects.filter(pk=entry.dossier_id).update(last_error=reason[:2000], attempts=attempts, retry_at=at)
    return at


def deliver(dossier_id: int, *, owner: str | None = None, client: NationalClient | None = None,
            force: bool = False) -> str:
    """Send the dossier's waiting changes, oldest first, while they succeed. Returns an `Outcome`."""
    if not sync_enabled():
        return Outcome.OFF
    owner = owner or worker_name()
    if not claim(dossier_id, owner):
        return Outcome.BUSY
    outcome = Outcome.DONE
    try:
        outcome = _drain(dossier_id, owner, client or NationalClient(), force)
    finally:
        _release(dossier_id, owner)
    if outcome == Outcome.DONE and _head(dossier_id) is not None:
        # A change committed while this worker held the lease, whose own task found it busy: take it too.
        return deliver(dossier_id, owner=owner, client=client)
    if outcome == Outcome.MORE:
        publish(dossier_id)  # this run's share is sent: the rest in a new task, so others get a turn
    return outcome


def _drain(dossier_id: int, owner: str, client: NationalClient, force: bool) -> str:
    dossier = None
    components: list = []
    steps: list = []
    held = False
    sent = 0
    while sent < ROWS_PER_RUN:
        batch = _next_batch(dossier_id)
        if not batch:
            return Outcome.DONE
        entry = batch[0]
        now = timezone.now()
        if not force and entry.next_attempt_at is not None and entry.next_attempt_at > now:
            return Outcome.WAITING
        force = False
        if not _renew(dossier_id, owner):
            return Outcome.BUSY
        if dossier is None:
            dossier, components, steps = _load(dossier_id)
            if dossier is None:
                return Outcome.DONE
        held = held or SyncState.objects.filter(pk=dossier_id, held_since__isnull=False).exists()
        try:
            _send(client, batch, dossier, components, steps, held)
        except NoNationalCode:
            _failed(entry, NO_NATIONAL_CODE, blocked=True)
            return Outcome.BLOCKED
        except NationalError as exc:
            at = _failed(entry, str(exc))
            log.warning("national sync of dossier %s, row %s failed (attempt %s): %s", dossier_id, entry.pk,
                        entry.attempts + 1, exc)
            # Retried by its own task after the backoff, and by the sweeper if that task is lost.
            publish(dossier_id, countdown=max((at - timezone.now()).total_seconds(), 0.5))
            return Outcome.RETRY
        _succeeded(batch, owner)
        sent += len(batch)
        held = held or entry.service == rules.SYNC_DOSSIER
    return Outcome.MORE


def sweep(*, now: datetime | None = None, limit: int = 500) -> int:
    """Hand back every dossier with changes waiting longer than a moment whose retry is due and whose
    lease is free: lost tasks, dead workers, the backlog written while sync was off. Run by beat."""
    if not sync_enabled():
        return 0
    now = now or timezone.now()
    ids = list(
        OutboxEntry.objects.filter(sent_at__isnull=True, created_at__lte=now - STUCK_AFTER)
        .exclude(dossier__national_sync__retry_at__gt=now)
        .exclude(dossier__national_sync__lease_until__gt=now)
        .order_by("dossier_id").values_list("dossier_id", flat=True).distinct()[:limit]
    )
    handed = 0
    for dossier_id in ids:
        if not publish(dossier_id):
            break
        handed += 1
    return handed


def resend(dossiers) -> int:
    """An administrator's resend: the dossiers' failed or blocked heads are due now; a dossier the
    national portal never got any row for (received before sync existed) gets one to send it whole."""
    from dossiers.models import TimelineEvent

    count = 0
    for dossier in dossiers:
        with transaction.atomic():
            pending = OutboxEntry.objects.filter(dossier=dossier, sent_at__isnull=True)
            if pending.exists():
                pending.update(next_attempt_at=None)
                SyncState.objects.filter(pk=dossier.pk).update(retry_at=None, attempts=0)
            elif dossier.code or dossier.national_code:
                event = TimelineEvent.objects.filter(dossier=dossier).order_by("-at", "-id").first()
                snapshot = snapshot_of(dossier, event) if event is not None else {"status": dossier.status}
                snapshot["status"] = dossier.status
                OutboxEntry.objects.create(dossier=dossier, event=event, service=rules.SYNC_DOSSIER,
                                           snapshot=snapshot, created_at=timezone.now())
            else:
                continue
            count += 1
        if sync_enabled():
            publish(dossier.pk)
    return count


# --- the mapping ------------------------------------------------------------------------------------


def set_national_codes(codes: dict) -> set[int]:
    """The catalogue import's call: {procedure: national code} (blank clears it); the ids changed."""
    changed: set[int] = set()
    if not codes:
        return changed
    current = {m.procedure_id: m for m in ProcedureMapping.objects.filter(procedure__in=list(codes))}
    codes_by_pk = {procedure.pk: (code or "").strip() for procedure, code in codes.items()}
    for procedure, code in codes.items():
        code = (code or "").strip()[:40]
        mapping = current.get(procedure.pk)
        if mapping is None:
            if code:
                ProcedureMapping.objects.create(procedure=procedure, national_code=code)
                changed.add(procedure.pk)
        elif mapping.national_code != code:
            mapping.national_code = code
            mapping.save(update_fields=["national_code"])
            changed.add(procedure.pk)
    release_blocked([pk for pk in changed if codes_by_pk.get(pk)])
    return changed


def release_blocked(procedure_ids) -> int:
    """Dossiers held back for want of a national code of these procedures go out now (a code was set)."""
    ids = list(OutboxEntry.objects.filter(dossier__procedure_id__in=list(procedure_ids), sent_at__isnull=True,
                                          last_error=NO_NATIONAL_CODE).values_list("dossier_id", flat=True).distinct())
    if not ids:
        return 0
    OutboxEntry.objects.filter(dossier_id__in=ids, sent_at__isnull=True).update(next_attempt_at=None)
    SyncState.objects.filter(pk__in=ids).update(retry_at=None)
    if sync_enabled():
        for dossier_id in ids:
            transaction.on_commit(lambda dossier_id=dossier_id: publish(dossier_id))
    return len(ids)


def set_national_code(procedure, national_code: str) -> ProcedureMapping:
    """The catalogue import's call: the procedure's national code (blank clears it)."""
    mapping, _created = ProcedureMapping.objects.update_or_create(
        procedure=procedure, defaults={"national_code": (national_code or "").strip()[:40]})
    if mapping.national_code:
        release_blocked([procedure.pk])
    return mapping


def refresh_procedure(procedure, client: NationalClient | None = None) -> ProcedureMapping:
    """Ask the national portal (LayThuTuc) for the procedure's national name and field, and keep them:
    on demand, never per dossier. Raises NationalError / ValueError."""
    mapping = ProcedureMapping.objects.filter(procedure=procedure).first()
    if mapping is None or not mapping.national_code:
        raise ValueError(NO_NATIONAL_CODE)
    answer = (client or NationalClient()).procedure(mapping.national_code)
    record = answer.get("result") or answer.get("data") or answer
    if isinstance(record, list):
        record = record[0] if record else {}
    fields = record.get("LINHVUCTHUCHIEN") or []
    first = fields[0] if fields and isinstance(fields[0], dict) else {}
    mapping.national_name = str(record.get("TENTTHC") or mapping.national_name)[:500]
    mapping.field_code = str(first.get("MALINHVUC") or mapping.field_code)[:40]
    mapping.field_name = str(first.get("TENLINHVUC") or mapping.field_name)[:255]
    mapping.refreshed_at = timezone.now()
    mapping.save()
    return mapping
