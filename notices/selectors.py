"""Reads of the notices app: a user's inbox, their unread count, the notices about a dossier."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from .models import Notice, NoticeChannel


def inbox(user, *, unread_only: bool = False) -> QuerySet[Notice]:
    """The user's in-app notices, unread first, newest first within each group."""
    if not user or not user.is_authenticated:
        return Notice.objects.none()
    qs = Notice.objects.filter(user=user, channel=NoticeChannel.IN_APP)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return qs.select_related("dossier").order_by(unread.desc(), "-created_at", "-id")


def unread_count(user) -> int:
    if not user or not user.is_authenticated:
        return 0
    return Notice.objects.filter(user=user, channel=NoticeChannel.IN_APP, read_at__isnull=True).count()


def for_dossier(dossier) -> QuerySet[Notice]:
    """Every notice about one dossier (staff view): newest first."""
    return Notice.objects.filter(dossier=dossier).order_by("-created_at", "-id")
