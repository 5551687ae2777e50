"""Every stored phone number in the one written form of organisation.phones (h15b).

`motcua_normalize_phone(text)` is that module's `normalize_phone` in SQL (a test compares the two on any
input); it rewrites, table by table, the rows whose number is written otherwise ('+84 912 345 678',
'0912.345.678', '84912345678' → '0912345678'): the dossiers' applicants, the citizens' profiles, feedback,
bookings, postal orders and the agencies' own numbers. The function stays for later re-runs and checks.
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION motcua_normalize_phone(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN s ~ '^\+84[0-9]+$' THEN '0' || regexp_replace(substr(s, 4), '^0', '')
        WHEN s ~ '^0084[0-9]+$' THEN '0' || regexp_replace(substr(s, 5), '^0', '')
        WHEN s ~ '^84[0-9]{9}$' THEN '0' || substr(s, 3)
        ELSE s
    END
    FROM (SELECT regexp_replace(coalesce(value, ''), E'[ \\t\\n\\r\\f\\v.()/-]', '', 'g') AS s) AS t
$$;
"""

COLUMNS = (
    ("dossiers_dossier", "applicant_phone"),
    ("citizens_citizenprofile", "phone"),
    ("citizens_feedback", "phone"),
    ("citizens_booking", "phone"),
    ("postal_postalorder", "sender_phone"),
    ("postal_postalorder", "receiver_phone"),
    ("organisation_agency", "phone"),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return forwards_python(apps)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table, column in COLUMNS:
            cursor.execute("SELECT to_regclass(%s)", [table])
            if cursor.fetchone()[0] is None:
                continue
            # Only the rows written otherwise: on a table already in the form, nothing is rewritten.
            cursor.execute(f'UPDATE "{table}" SET "{column}" = motcua_normalize_phone("{column}") '
                           f'WHERE "{column}" <> motcua_normalize_phone("{column}")')


def forwards_python(apps):
    """The same, row by row (SQLite: the quick start's small database)."""
    from organisation.phones import normalize_phone

    models = {("dossiers_dossier", "applicant_phone"): ("dossiers", "Dossier"),
              ("citizens_citizenprofile", "phone"): ("citizens", "CitizenProfile"),
              ("citizens_feedback", "phone"): ("citizens", "Feedback"),
              ("citizens_booking", "phone"): ("citizens", "Booking"),
              ("postal_postalorder", "sender_phone"): ("postal", "PostalOrder"),
              ("postal_postalorder", "receiver_phone"): ("postal", "PostalOrder"),
              ("organisation_agency", "phone"): ("organisation", "Agency")}
    for (_table, column), (app, name) in models.items():
        model = apps.get_model(app, name)
        for pk, value in model.objects.exclude(**{column: ""}).values_list("pk", column):
            normal = normalize_phone(value)
            if normal != value:
                model.objects.filter(pk=pk).update(**{column: normal})


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0019_h15b_visibility_indexes"),
        ("citizens", "0004_profile_oidc_subject"),
        ("postal", "0001_h12_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
