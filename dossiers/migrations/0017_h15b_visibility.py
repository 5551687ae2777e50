"""The visibility fact (dossiers.models.DossierVisibility) and the PostgreSQL functions and triggers that keep it.

- `dossiers_visibility_grant(dossier, agency)`: the agency and every agency above it may see the dossier
  (the agency itself `direct`). Called by the triggers below and by `dossiers.visibility.grant_visibility`.
- Triggers: a new dossier is granted to its receiving agency; a step (new, or moved to another agency)
  grants the dossier to the step's agency (liên thông, a transfer back); a change of the dossier's status,
  flags, times, channel or procedure is copied to its rows in the same statement's transaction (the
  services' saves, the deadline sweep's bulk flag updates, the admin, anything).
- `dossiers_visibility_backfill(first, last)`: the rows of the dossiers with ids in [first, last], from
  their receiving agency and their steps (migration 0015, bench/generate_dossiers.py).

The sort and filter keys are written by one SQL expression each (`KEYS` below), used by the grant, the
update trigger and the backfill alike.
"""

import django.db.models.deletion
from django.db import migrations, models

PENDING = "(2, 4, 5, 6)"  # received, processing, supplement requested, payment requested (selectors.PENDING_STATUSES)

# "Already": a time before any dossier, for a dossier flagged late or due soon (or finished late): late
# whatever the time now. Not -infinity, which Python's datetime cannot hold.
FLAGGED = "'1970-01-01 00:00:00+00'::timestamptz"

# The copied keys, as columns of the dossier `d` and its procedure `p` (see DossierVisibility).
KEYS = {
    "status": "d.status",
    "channel": "d.channel",
    "procedure_id": "d.procedure_id",
    "field_id": "p.field_id",
    "late_from": (f"CASE WHEN d.verdict = 'late' THEN {FLAGGED} WHEN d.finished_at IS NOT NULL "
                  f"THEN NULL WHEN d.is_late THEN {FLAGGED} WHEN d.status IN {PENDING} "
                  f"THEN d.appointment_at END"),
    "due_soon_from": (f"CASE WHEN d.finished_at IS NULL AND d.status IN {PENDING} AND d.appointment_at IS NOT NULL "
                      f"THEN CASE WHEN d.is_due_soon THEN {FLAGGED} ELSE d.due_soon_at END END"),
    "urgency_at": (f"CASE WHEN d.finished_at IS NULL AND d.is_late THEN {FLAGGED} "
                   f"WHEN d.finished_at IS NULL AND d.status IN {PENDING} THEN d.appointment_at END"),
}
COLUMNS = ", ".join(KEYS)
VALUES = ", ".join(KEYS.values())
SET = ", ".join(f"{name} = k.{name}" for name in KEYS)
CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in (
    "status", "channel", "procedure_id", "verdict", "finished_at", "is_late", "is_due_soon", "appointment_at",
    "due_soon_at", "agency_id"))
# Every agency and the agencies above it (itself at depth 0).
UP = ("WITH RECURSIVE up(agency_id, ancestor_id, depth) AS ("
      "SELECT id, id, 0 FROM organisation_agency {where} UNION ALL "
      "SELECT up.agency_id, a.parent_id, up.depth + 1 FROM up JOIN organisation_agency a ON a.id = up.ancestor_id "
      "WHERE a.parent_id IS NOT NULL AND up.depth < 32)")

SQL = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE OR REPLACE FUNCTION dossiers_visibility_grant(p_dossier bigint, p_agency bigint) RETURNS void
LANGUAGE sql VOLATILE AS $$
    {UP.format(where="WHERE id = p_agency")}
    INSERT INTO dossiers_visibility (agency_id, dossier_id, direct, {COLUMNS})
    SELECT up.ancestor_id, d.id, up.depth = 0, {VALUES}
    FROM up, dossiers_dossier d JOIN procedures_procedure p ON p.id = d.procedure_id
    WHERE d.id = p_dossier
    ON CONFLICT (agency_id, dossier_id) DO UPDATE SET direct = dossiers_visibility.direct OR EXCLUDED.direct
$$;

CREATE OR REPLACE FUNCTION dossiers_visibility_backfill(p_first bigint, p_last bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE written bigint;
BEGIN
    {UP.format(where="")}
    , src AS (
        SELECT id AS dossier_id, agency_id FROM dossiers_dossier WHERE id BETWEEN p_first AND p_last
        UNION SELECT dossier_id, agency_id FROM dossiers_step WHERE dossier_id BETWEEN p_first AND p_last
    ), granted AS (
        SELECT src.dossier_id, up.ancestor_id AS agency_id, bool_or(up.depth = 0) AS direct
        FROM src JOIN up ON up.agency_id = src.agency_id GROUP BY 1, 2
    )
    INSERT INTO dossiers_visibility (agency_id, dossier_id, direct, {COLUMNS})
    SELECT g.agency_id, g.dossier_id, g.direct, {VALUES}
    FROM granted g JOIN dossiers_dossier d ON d.id = g.dossier_id JOIN procedures_procedure p ON p.id = d.procedure_id
    ON CONFLICT (agency_id, dossier_id) DO UPDATE SET direct = dossiers_visibility.direct OR EXCLUDED.direct;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;

CREATE OR REPLACE FUNCTION dossiers_visibility_on_dossier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        UPDATE dossiers_visibility v SET {SET}
        FROM (SELECT {VALUES} FROM dossiers_dossier d JOIN procedures_procedure p ON p.id = d.procedure_id
              WHERE d.id = NEW.id) AS k({COLUMNS})
        WHERE v.dossier_id = NEW.id;
        IF OLD.agency_id IS DISTINCT FROM NEW.agency_id THEN
            PERFORM dossiers_visibility_grant(NEW.id, NEW.agency_id);
        END IF;
    ELSE
        PERFORM dossiers_visibility_grant(NEW.id, NEW.agency_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION dossiers_visibility_on_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dossiers_visibility_grant(NEW.dossier_id, NEW.agency_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER dossiers_visibility_insert AFTER INSERT ON dossiers_dossier
    FOR EACH ROW EXECUTE FUNCTION dossiers_visibility_on_dossier();
CREATE TRIGGER dossiers_visibility_update AFTER UPDATE ON dossiers_dossier
    FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION dossiers_visibility_on_dossier();
CREATE TRIGGER dossiers_visibility_step AFTER INSERT ON dossiers_step
    FOR EACH ROW EXECUTE FUNCTION dossiers_visibility_on_step();
CREATE TRIGGER dossiers_visibility_step_moved AFTER UPDATE ON dossiers_step
    FOR EACH ROW WHEN (OLD.agency_id IS DISTINCT FROM NEW.agency_id) EXECUTE FUNCTION dossiers_visibility_on_step();
"""

REVERSE = """
DROP TRIGGER IF EXISTS dossiers_visibility_insert ON dossiers_dossier;
DROP TRIGGER IF EXISTS dossiers_visibility_update ON dossiers_dossier;
DROP TRIGGER IF EXISTS dossiers_visibility_step ON dossiers_step;
DROP TRIGGER IF EXISTS dossiers_visibility_step_moved ON dossiers_step;
DROP FUNCTION IF EXISTS dossiers_visibility_on_dossier();
DROP FUNCTION IF EXISTS dossiers_visibility_on_step();
DROP FUNCTION IF EXISTS dossiers_visibility_backfill(bigint, bigint);
DROP FUNCTION IF EXISTS dossiers_visibility_grant(bigint, bigint);
"""


def forwards(apps, schema_editor):
    # PostgreSQL only: on SQLite (the quick start) the rule is asked of the dossiers and steps instead
    # (dossiers.visibility.uses_fact).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0016_h10b_lateness_forecast'),
        ('organisation', '0001_initial'),
        ('procedures', '0002_h10_online_and_paper_result'),
    ]

    operations = [
        migrations.CreateModel(
            name='DossierVisibility',
            fields=[
                ('pk', models.CompositePrimaryKey('agency_id', 'dossier_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('direct', models.BooleanField(default=False)),
                ('status', models.PositiveSmallIntegerField()),
                ('channel', models.CharField(max_length=10)),
                ('late_from', models.DateTimeField(null=True)),
                ('due_soon_from', models.DateTimeField(null=True)),
                ('urgency_at', models.DateTimeField(null=True)),
                ('agency', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisation.agency')),
                ('dossier', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='visibility', to='dossiers.dossier')),
                ('field', models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='procedures.field')),
                ('procedure', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='procedures.procedure')),
            ],
            options={'db_table': 'dossiers_visibility'},
        ),
        migrations.RunPython(forwards, backwards),
    ]
