"""Dossier codes `<receiving agency code>-<YYMMDD>-<NNNN>` (domain.md §5), never repeated.

One upsert takes the next number of the agency's day and returns it: the row lock it holds until the
caller's transaction ends is what serialises concurrent intakes, so two desks never get the same number.
`INSERT ... ON CONFLICT ... DO UPDATE ... RETURNING` works on PostgreSQL and on SQLite ≥ 3.35.
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from .models import DossierCodeSequence, RegisterSequence


def format_code(agency_code: str, day: date, number: int) -> str:
    return f"{agency_code}-{day:%y%m%d}-{number:04d}"


def next_number(agency_id: int, day: date) -> int:
    table = connection.ops.quote_name(DossierCodeSequence._meta.db_table)
    sql = (
        f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "
        f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 "
        "RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_id, connection.ops.adapt_datefield_value(day)])
        return int(cursor.fetchone()[0])


def next_dossier_code(agency, day: date) -> str:
    """The next code of `agency` for `day`; call it inside the transaction that creates the dossier."""
    return format_code(agency.code, day, next_number(agency.pk, day))


def next_register_number(agency_id: int, year: int) -> int:
    """The next sequence number of the agency's register (form 07) for `year`, continuous through the year."""
    table = connection.ops.quote_name(RegisterSequence._meta.db_table)
    sql = (
        f"INSERT INTO {table} (agency_id, year, last) VALUES (%s, %s, 1) "
        f"ON CONFLICT (agency_id, year) DO UPDATE SET last = {table}.last + 1 "
        "RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency_id, year])
        return int(cursor.fetchone()[0])


def next_code_and_register_number(agency, day: date) -> tuple[str, int]:
    """`next_dossier_code` and `next_register_number` of the year of `day` at once: on PostgreSQL one
    statement (both upserts in one WITH), elsewhere the two."""
    if connection.vendor != "postgresql":
        return next_dossier_code(agency, day), next_register_number(agency.pk, day.year)
    codes = connection.ops.quote_name(DossierCodeSequence._meta.db_table)
    register = connection.ops.quote_name(RegisterSequence._meta.db_table)
    sql = (
        f"WITH c AS (INSERT INTO {codes} (agency_id, day, last) VALUES (%s, %s, 1) "
        f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {codes}.last + 1 RETURNING last), "
        f"r AS (INSERT INTO {register} (agency_id, year, last) VALUES (%s, %s, 1) "
        f"ON CONFLICT (agency_id, year) DO UPDATE SET last = {register}.last + 1 RETURNING last) "
        "SELECT c.last, r.last FROM c, r"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency.pk, day, agency.pk, day.year])
        number, register_no = cursor.fetchone()
    return format_code(agency.code, day, int(number)), int(register_no)
