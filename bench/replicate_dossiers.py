"""Multiply a database filled by `generate_dossiers.py` in place, for the 10,000,000-dossier benchmarks.

Run by hand (never from the test suite):

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE motcua_bench_10m TEMPLATE motcua_bench_1m"
    .venv/bin/python bench/replicate_dossiers.py --database-url postgres://postgres@127.0.0.1:5432/motcua_bench_10m --times 10

Why: the generator writes every row from Python (about 1,400 dossiers a second with their components, steps,
apologies, ratings and feedback on this machine's two shared cores), so 10 million dossiers take two hours.
Copying the generated rows inside PostgreSQL takes a fraction of that.

What the copy is: every dossier of the source set (ids 1..N) is copied `--times - 1` times with new ids, and so
are its components, steps, apologies, ratings and feedback. Copy j of a dossier keeps its agency, procedure,
dates, status and verdict (the province gets `--times` as many dossiers over the same two years: the same
shape, busier), and gets its own code (the day's sequence number + j × 1000: `…-261120-0007` becomes
`…-261120-1007`), its own phone number and ID number (shifted, so that a search by them still finds one
person's dossiers, not ten strangers'). The visibility fact is written for the new dossiers, the indexes
rebuilt once and every table VACUUM ANALYZEd, as the generator does, and the reports' monthly fact table
rebuilt for every month of the data.

The source set must have fewer than 1,000 dossiers per agency and day (the generator's 1,000,000 has about 20
on average, at most a few hundred), and --times at most 10.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_dossiers import restore_indexes, setup_django, suspend_indexes  # noqa: E402

# table -> {column: SQL expression of copy :j} for the columns that change; the others are copied as they are.
# :n is the number of dossiers in the source set, :m the table's own largest id.
CHANGES = {
    "dossiers_dossier": {
        "id": "id + :j * :n",
        "code": "left(code, -4) || lpad((right(code, 4)::int + :j * 1000)::text, 4, '0')",
        "applicant_phone": "'09' || lpad(((right(applicant_phone, 8)::bigint + :j * 12345679) % 100000000)::text, 8, '0')",
        "applicant_id_number": "lpad(((applicant_id_number::bigint + :j * 87654321013) % 1000000000000)::text, 12, '0')",
    },
    "dossiers_dossiercomponent": {"id": "id + :j * :m", "dossier_id": "dossier_id + :j * :n"},
    "dossiers_step": {"id": "id + :j * :m", "dossier_id": "dossier_id + :j * :n"},
    "dossiers_apology": {"id": "id + :j * :m", "dossier_id": "dossier_id + :j * :n"},
    "citizens_rating": {"id": "id + :j * :m", "dossier_id": "dossier_id + :j * :n"},
    "citizens_feedback": {"id": "id + :j * :m", "dossier_id": "dossier_id + :j * :n"},
}


def replicate(times: int) -> None:
    from django.db import connection

    t0 = time.perf_counter()
    loaded = list(CHANGES)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), max(id) FROM dossiers_dossier")
        n, top = cur.fetchone()
        if n != top:
            sys.exit(f"the source set must have ids 1..N as the generator writes them (count {n}, largest id {top})")
        cur.execute("SELECT max(c) FROM (SELECT count(*) AS c FROM dossiers_dossier GROUP BY agency_id, "
                    "received_at::date) d")
        if cur.fetchone()[0] >= 1000:
            sys.exit("an agency has 1,000 dossiers or more on one day: the copies' codes would collide")
        largest = {}
        columns = {}
        for table in loaded:
            cur.execute(f'SELECT COALESCE(max(id), 0) FROM "{table}"')
            largest[table] = cur.fetchone()[0]
            cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                        "ORDER BY ordinal_position", [table])
            columns[table] = [r[0] for r in cur.fetchall()]
        secondary = suspend_indexes(cur, loaded)
        print(f"source: {n:,} dossiers; {len(secondary)} indexes dropped", flush=True)
        for j in range(1, times):
            for table in loaded:
                changes = CHANGES[table]
                select = ", ".join(
                    changes[c].replace(":j", str(j)).replace(":n", str(n)).replace(":m", str(largest[table]))
                    if c in changes else f'"{c}"' for c in columns[table])
                names = ", ".join(f'"{c}"' for c in columns[table])
                source = f"WHERE id <= {n}" if table == "dossiers_dossier" else f"WHERE id <= {largest[table]}"
                cur.execute(f'INSERT INTO "{table}" ({names}) SELECT {select} FROM "{table}" {source}')
            print(f"  copy {j} of {times - 1} at {time.perf_counter() - t0:.1f} s", flush=True)
        restore_indexes(cur, loaded, secondary, first_id=n + 1, last_id=n * times, t0=t0)
    print(f"{n * times:,} dossiers in {time.perf_counter() - t0:.1f} s")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", required=True)
    p.add_argument("--times", type=int, default=10)
    args = p.parse_args()
    if not 2 <= args.times <= 10:
        p.error("--times must be between 2 and 10")
    if "/motcua_bench" not in args.database_url:
        p.error("the database must be a scratch one named motcua_bench*")
    setup_django(args.database_url)
    replicate(args.times)
    rebuild_report_months()


def rebuild_report_months() -> None:
    """The reports' monthly fact table for every month of the data, from the multiplied rows (the source's
    table counted each dossier once): as the generator and the nightly task keep it."""
    from django.core.management import call_command
    from django.db import connection

    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT min(received_at), max(received_at) FROM dossiers_dossier")
        first, last = cur.fetchone()
    if first is None:
        return
    call_command("rebuild_report_months", "--from", f"{first:%Y-%m}", "--to", f"{last:%Y-%m}", verbosity=0)
    print(f"the reports' fact table rebuilt in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
