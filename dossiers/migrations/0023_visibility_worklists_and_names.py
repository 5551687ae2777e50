"""Who acts next, and the applicant's name, on the visibility fact: the worklist tabs and the name search
answered from one agency's rows (issue 15).

A worklist tab is "the dossiers waiting for me": received at my desk and not yet handed on (or not yet
received, or decided and not yet returned), or whose open step is at my agency in my role. Asked of the
dossiers and their steps, a busy commune's "cần xử lý" tab joined every open dossier of the commune to
the dossier table and probed its steps (450-550 ms at 10,000,000 dossiers). Two columns of the fact say
it per (agency, dossier) row:

- `todo_role`: the role expected to act at the row's agency: `desk_officer` at the receiving agency while
  the dossier is submitted (1), received (2) or decided (9); the role of the open step at the row's
  agency while processing (4); `*` (any staff role) at the receiving and the holding agency while the
  applicant is asked for a supplement (5); null otherwise (nearly every row: only open work has one);
- `todo_user_id`: the open step's assignee while processing (null: anyone of the role there).

A search by name read a trigram index of the whole province first (the syllables of Vietnamese names are
few, so "phan thi quan" has trigrams shared by half the dossiers: 72 ms at 1,000,000, ten times that at
10,000,000) and only then the user's scope. Two more columns copy the folded name (procedures.text.fold),
words in order (`name_key`) and in reverse order (`name_last`), so that a name is a prefix range of one
agency's rows: its first words (the family name: "nguyen van") or its last ones (the given name: "ngoc
anh", "anh"), through the btrees `visibility_name` and `visibility_name_last` (pattern operator classes;
PostgreSQL only, like the other search indexes of 0021).

They are written by the same triggers as the other keys (0017), in the transaction of the write that
changes them: a dossier's status, agency, holding agency or name, and a step's start, end, assignee, role
or agency (the step trigger now fires on these; the sweep's flag updates of steps do not fire it). The
partial indexes of the todo hold only the rows with a `todo_role`: a tab is a range of one agency and role,
in urgency order (`visibility_todo`) or, for the rows without a deadline, newest first
(`visibility_todo_rest`). Existing rows are filled: the todo of the open dossiers, the names of all.
"""

import importlib

from django.db import migrations, models

base = importlib.import_module("dossiers.migrations.0017_h15b_visibility")


def _open_step(column: str, agency: str) -> str:
    """The open step's `column` at `agency` (rules.current_step: started, not finished, the latest)."""
    return (f"(SELECT s.{column} FROM dossiers_step s WHERE s.dossier_id = d.id AND s.agency_id = {agency} "
            "AND s.started_at IS NOT NULL AND s.finished_at IS NULL ORDER BY s.\"order\" DESC LIMIT 1)")


def todo(agency: str) -> dict[str, str]:
    """The two columns as SQL expressions of the dossier `d` and the row's agency."""
    return {
        "todo_role": (f"CASE WHEN d.status IN (1, 2, 9) THEN CASE WHEN {agency} = d.agency_id THEN 'desk_officer' END "
                      f"WHEN d.status = 4 THEN {_open_step('role', agency)} "
                      f"WHEN d.status = 5 AND {agency} IN (d.agency_id, d.current_agency_id) THEN '*' END"),
        "todo_user_id": f"CASE WHEN d.status = 4 THEN {_open_step('assignee_id', agency)} END",
    }


def _words(reverse: bool) -> str:
    words = "regexp_split_to_array(btrim(d.applicant_search), '\\s+')"
    if not reverse:
        return f"array_to_string({words}, ' ')"
    return (f"array_to_string(ARRAY(SELECT w FROM unnest({words}) WITH ORDINALITY AS t(w, i) ORDER BY i DESC), ' ')")


# 0017's keys and the name's two forms (dossiers.lists.name_query folds and splits a query the same way).
KEYS = {**base.KEYS, "name_key": _words(False), "name_last": _words(True)}
COLUMNS = ", ".join(KEYS)
VALUES = ", ".join(KEYS.values())
SET = ", ".join(f"{name} = k.{name}" for name in KEYS)
TODO_COLUMNS = "todo_role, todo_user_id"
EXCLUDED = ("ON CONFLICT (agency_id, dossier_id) DO UPDATE SET direct = dossiers_visibility.direct OR EXCLUDED.direct, "
            "todo_role = EXCLUDED.todo_role, todo_user_id = EXCLUDED.todo_user_id")
CHANGED = base.CHANGED + "".join(f" OR OLD.{c} IS DISTINCT FROM NEW.{c}" for c in (
    "current_agency_id", "applicant_search"))
STEP_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in (
    "started_at", "finished_at", "assignee_id", "role", "agency_id"))


def _values(agency: str) -> str:
    return ", ".join(todo(agency).values())


SQL = f"""
CREATE OR REPLACE FUNCTION dossiers_visibility_grant(p_dossier bigint, p_agency bigint) RETURNS void
LANGUAGE sql VOLATILE AS $$
    {base.UP.format(where="WHERE id = p_agency")}
    INSERT INTO dossiers_visibility (agency_id, dossier_id, direct, {COLUMNS}, {TODO_COLUMNS})
    SELECT up.ancestor_id, d.id, up.depth = 0, {VALUES}, {_values("up.ancestor_id")}
    FROM up, dossiers_dossier d JOIN procedures_procedure p ON p.id = d.procedure_id
    WHERE d.id = p_dossier
    {EXCLUDED}
$$;

CREATE OR REPLACE FUNCTION dossiers_visibility_backfill(p_first bigint, p_last bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE written bigint;
BEGIN
    {base.UP.format(where="")}
    , src AS (
        SELECT id AS dossier_id, agency_id FROM dossiers_dossier WHERE id BETWEEN p_first AND p_last
        UNION SELECT dossier_id, agency_id FROM dossiers_step WHERE dossier_id BETWEEN p_first AND p_last
    ), granted AS (
        SELECT src.dossier_id, up.ancestor_id AS agency_id, bool_or(up.depth = 0) AS direct
        FROM src JOIN up ON up.agency_id = src.agency_id GROUP BY 1, 2
    )
    INSERT INTO dossiers_visibility (agency_id, dossier_id, direct, {COLUMNS}, {TODO_COLUMNS})
    SELECT g.agency_id, g.dossier_id, g.direct, {VALUES}, {_values("g.agency_id")}
    FROM granted g JOIN dossiers_dossier d ON d.id = g.dossier_id JOIN procedures_procedure p ON p.id = d.procedure_id
    {EXCLUDED};
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;

-- The two columns of one dossier's rows, recomputed; a row is written only when they change.
CREATE OR REPLACE FUNCTION dossiers_visibility_todo(p_dossier bigint) RETURNS void
LANGUAGE sql VOLATILE AS $$
    UPDATE dossiers_visibility v SET todo_role = t.todo_role, todo_user_id = t.todo_user_id
    FROM (SELECT w.agency_id, {_values("w.agency_id")}
          FROM dossiers_visibility w JOIN dossiers_dossier d ON d.id = w.dossier_id
          WHERE w.dossier_id = p_dossier) AS t(agency_id, {TODO_COLUMNS})
    WHERE v.dossier_id = p_dossier AND v.agency_id = t.agency_id
      AND (v.todo_role IS DISTINCT FROM t.todo_role OR v.todo_user_id IS DISTINCT FROM t.todo_user_id)
$$;

CREATE OR REPLACE FUNCTION dossiers_visibility_on_dossier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        UPDATE dossiers_visibility v SET {SET}
        FROM (SELECT {VALUES} FROM dossiers_dossier d JOIN procedures_procedure p ON p.id = d.procedure_id
              WHERE d.id = NEW.id) AS k({COLUMNS})
        WHERE v.dossier_id = NEW.id;
        IF OLD.status IS DISTINCT FROM NEW.status OR OLD.agency_id IS DISTINCT FROM NEW.agency_id
           OR OLD.current_agency_id IS DISTINCT FROM NEW.current_agency_id THEN
            PERFORM dossiers_visibility_todo(NEW.id);
        END IF;
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
    -- A new step's rows (and its agency's todo) come from the grant; a change of an existing step may
    -- change the todo of any of the dossier's rows.
    IF TG_OP = 'INSERT' OR OLD.agency_id IS DISTINCT FROM NEW.agency_id THEN
        PERFORM dossiers_visibility_grant(NEW.dossier_id, NEW.agency_id);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        PERFORM dossiers_visibility_todo(NEW.dossier_id);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS dossiers_visibility_update ON dossiers_dossier;
CREATE TRIGGER dossiers_visibility_update AFTER UPDATE ON dossiers_dossier
    FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION dossiers_visibility_on_dossier();
DROP TRIGGER IF EXISTS dossiers_visibility_step_moved ON dossiers_step;
CREATE TRIGGER dossiers_visibility_step_moved AFTER UPDATE ON dossiers_step
    FOR EACH ROW WHEN ({STEP_CHANGED}) EXECUTE FUNCTION dossiers_visibility_on_step();

"""

# Back to 0017's functions and triggers (the columns go with the field removals).
REVERSE = f"""
DROP FUNCTION IF EXISTS dossiers_visibility_todo(bigint) CASCADE;
DROP TRIGGER IF EXISTS dossiers_visibility_update ON dossiers_dossier;
DROP TRIGGER IF EXISTS dossiers_visibility_step_moved ON dossiers_step;
DROP TRIGGER IF EXISTS dossiers_visibility_insert ON dossiers_dossier;
DROP TRIGGER IF EXISTS dossiers_visibility_step ON dossiers_step;
{base.SQL.replace("CREATE EXTENSION IF NOT EXISTS pg_trgm;", "")}
"""


# Existing rows are filled in batches of dossier ids, each its own transaction, while the portal keeps working:
# one UPDATE of every row took 35 minutes at 10,000,000 dossiers and held every row's lock (every dossier write,
# whose trigger touches its rows, waited for it). A name is written only into a row still unfilled ('', as the
# column was added): a rename committed meanwhile has its trigger fill the row, and when the batch then reaches
# it, PostgreSQL re-checks the row's new version, finds it filled, and leaves it (no stale name written back).
# The todo of the open dossiers (a few per cent of them) is written with the dossiers and the steps locked against
# writers (SHARE), a batch at a time: a step's change sets the todo through its own trigger, without the dossier.
BATCH = 20_000
BACKFILL_NAMES = f"""
UPDATE dossiers_visibility v SET name_key = k.name_key, name_last = k.name_last
FROM (SELECT d.id, {KEYS['name_key']}, {KEYS['name_last']} FROM dossiers_dossier d
      WHERE d.id BETWEEN %s AND %s) AS k(id, name_key, name_last)
WHERE v.dossier_id = k.id AND v.name_key = '' AND k.name_key <> ''
"""
BACKFILL_TODO = f"""
UPDATE dossiers_visibility v SET todo_role = t.todo_role, todo_user_id = t.todo_user_id
FROM (SELECT w.agency_id, w.dossier_id, {_values("w.agency_id")}
      FROM dossiers_dossier d JOIN dossiers_visibility w ON w.dossier_id = d.id
      WHERE d.status IN (1, 2, 4, 5, 9) AND d.id BETWEEN %s AND %s) AS t(agency_id, dossier_id, {TODO_COLUMNS})
WHERE v.agency_id = t.agency_id AND v.dossier_id = t.dossier_id AND t.todo_role IS NOT NULL
  AND (v.todo_role IS DISTINCT FROM t.todo_role OR v.todo_user_id IS DISTINCT FROM t.todo_user_id)
"""


def backfill(connection, batch: int = BATCH) -> None:
    """Fill the names of every row and the todo of the open dossiers' rows, `batch` dossier ids at a time, each
    batch committed (re-runnable: a filled row is left as it is)."""
    from django.db import transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM dossiers_dossier")
        first, last = cursor.fetchone()
    if first is None:
        return
    for start in range(first, last + 1, batch):
        end = start + batch - 1
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(BACKFILL_NAMES, [start, end])
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("LOCK TABLE dossiers_dossier, dossiers_step IN SHARE MODE")
            cursor.execute(BACKFILL_TODO, [start, end])


# Covering the dossier's id: a search reads the ids a name matches in a scope, and counts them, from the index
# alone (a heap page per match made a common name 190 ms cold at 10,000,000 dossiers, dossiers.lists.name_matched).
NAME_INDEXES = {
    "visibility_name": "(agency_id, name_key varchar_pattern_ops) INCLUDE (dossier_id)",
    "visibility_name_last": "(agency_id, name_last varchar_pattern_ops) INCLUDE (dossier_id)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)
        backfill(schema_editor.connection)
        # Built without blocking the writers (a plain CREATE INDEX stops every write of the table while it reads
        # the millions of rows); an index left invalid by an interrupted build is built again.
        for name, how in NAME_INDEXES.items():
            _drop_if_invalid(schema_editor, name)
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON dossiers_visibility {how}")
        # Plans that do not flip: with the default statistics a full name's share was guessed 30 times too
        # high, and PostgreSQL walked a province's rows newest first looking for it (1.4 s at 1,000,000
        # dossiers) instead of reading its prefix range (2 ms). A fine histogram and a long list of common
        # names keep the guess close.
        schema_editor.execute("ALTER TABLE dossiers_visibility ALTER COLUMN name_key SET STATISTICS 5000, "
                              "ALTER COLUMN name_last SET STATISTICS 5000")


def _drop_if_invalid(schema_editor, name: str) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)", [name])
        row = cursor.fetchone()
    if row and row[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


# The worklist tabs' partial indexes: small (only the rows with work waiting), but building one reads the whole
# table, so on PostgreSQL they are built concurrently too.
TODO_INDEXES = (
    models.Index(condition=models.Q(("todo_role__isnull", False)), fields=["agency", "todo_role", "urgency_at", "dossier"],
                 include=["status", "todo_user_id"], name="visibility_todo"),
    models.Index(condition=models.Q(("todo_role__isnull", False), ("urgency_at__isnull", True)),
                 fields=["agency", "todo_role", "dossier"], include=["status", "todo_user_id"], name="visibility_todo_rest"),
)


def add_todo_indexes(apps, schema_editor):
    model = apps.get_model("dossiers", "DossierVisibility")
    for index in TODO_INDEXES:
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.add_index(model, index)
            continue
        _drop_if_invalid(schema_editor, index.name)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [index.name])
            exists = cursor.fetchone()[0]
        if not exists:
            schema_editor.execute(index.create_sql(model, schema_editor, concurrently=True))


def remove_todo_indexes(apps, schema_editor):
    model = apps.get_model("dossiers", "DossierVisibility")
    for index in TODO_INDEXES:
        schema_editor.remove_index(model, index)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in NAME_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    # Not one transaction: the backfill commits batch by batch and the name indexes are built concurrently
    # (each step re-runnable, see `backfill`).
    atomic = False

    dependencies = [
        ('dossiers', '0022_hB_sweep_plans'),
    ]

    operations = [
        migrations.AddField(
            model_name='dossiervisibility',
            name='todo_role',
            field=models.CharField(max_length=30, null=True),
        ),
        migrations.AddField(
            model_name='dossiervisibility',
            name='todo_user_id',
            field=models.IntegerField(null=True),
        ),
        migrations.AddField(
            model_name='dossiervisibility',
            name='name_key',
            field=models.CharField(max_length=255, default=''),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='dossiervisibility',
            name='name_last',
            field=models.CharField(max_length=255, default=''),
            preserve_default=False,
        ),
        migrations.RunPython(forwards, backwards),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="dossiervisibility", index=index) for index in TODO_INDEXES],
            database_operations=[migrations.RunPython(add_todo_indexes, remove_todo_indexes)],
        ),
        migrations.RunSQL("ANALYZE dossiers_visibility", migrations.RunSQL.noop, elidable=True),
    ]
