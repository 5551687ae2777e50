"""Demo calendar: the default office sessions, the national holidays of 2024–2028 from the `holidays`
package, and one agency's own exception (the province centre opens on some Saturday mornings).
Idempotent: running it again changes nothing."""

from datetime import date, time, timedelta

from .models import CalendarDay, OfficeSession
from .services import SOURCE_ADMIN, bump_calendar_version, sync_holidays

YEARS = [2024, 2025, 2026, 2027, 2028]
DEFAULT_SESSIONS = [(time(7, 0), time(11, 30)), (time(13, 30), time(17, 0))]
SATURDAY_SESSIONS = "07:30-11:30"


def _demo_saturdays() -> list[date]:
    """Every Saturday from 7 November to the end of 2026 (the demo runs in late 2026)."""
    d = date(2026, 11, 7)
    out = []
    while d.year == 2026:
        out.append(d)
        d += timedelta(days=7)
    return out


def seed(context: dict | None = None) -> dict:
    context = context or {}
    for start, end in DEFAULT_SESSIONS:
        OfficeSession.objects.get_or_create(agency=None, start=start, end=end)
    counts = sync_holidays(YEARS)
    province = context.get("province")
    if province is not None:
        for saturday in _demo_saturdays():
            CalendarDay.objects.get_or_create(
                date=saturday, agency=province,
                defaults={"working": True, "label": "Mở cửa sáng thứ Bảy", "sessions": SATURDAY_SESSIONS,
                          "source": SOURCE_ADMIN},
            )
    bump_calendar_version()
    return {"calendar": counts.as_dict()}
