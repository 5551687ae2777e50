"""The monthly fact table (rollup) behind the reports of closed months.

One row per (receiving agency, procedure, channel, month) with every count a report row needs, for the
month as its own window: the received family counts the dossiers received in the month, the finished
family those finished in it, the open family those open at its end (reporting/selectors.metric_q defines
each). A period of whole closed months sums the received and finished counts over its months and takes
the open counts of its last month; the open month is always read live. `rollup.rebuild_month` writes a
closed month's rows in one transaction (the nightly task and the `rebuild_report_months` command call
it); `ReportMonthBuilt` records which months are complete, so a month never built is read live. After that
the services keep the rows current in the transaction of each change (`rollup.refresh_dossier`, one statement,
none for a dossier received in the open month) and move the month's `built_at`, the stamp the cached
comparisons are keyed by.
"""

from django.db import models


class ReportMonth(models.Model):
    agency = models.ForeignKey("organisation.Agency", on_delete=models.CASCADE, related_name="+", db_index=False)
    procedure = models.ForeignKey("procedures.Procedure", on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=10)
    month = models.DateField()
    received = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    early = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    pending_in_time = models.IntegerField(default=0)
    pending_late = models.IntegerField(default=0)
    waiting = models.IntegerField(default=0)
    national_in_time = models.IntegerField(default=0)
    national_late = models.IntegerField(default=0)
    # The open part of the counts that mix finished and open dossiers (a period takes its last month's).
    national_in_time_open = models.IntegerField(default=0)
    national_late_open = models.IntegerField(default=0)
    apologised_late_open = models.IntegerField(default=0)
    apology_missed_open = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    fully_online = models.IntegerField(default=0)
    counter = models.IntegerField(default=0)
    postal = models.IntegerField(default=0)
    apologised_late = models.IntegerField(default=0)
    apology_kept = models.IntegerField(default=0)
    apology_missed = models.IntegerField(default=0)
    supplemented = models.IntegerField(default=0)
    supplemented_twice = models.IntegerField(default=0)
    supplement_rounds = models.IntegerField(default=0)
    very_satisfied = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    dissatisfied = models.IntegerField(default=0)
    # The counts of the 766 index (reporting/selectors.INDEX_DOSSIER_METRICS) that are not report columns.
    # The procedure's flags (eligible for fully-online service, paper result) are folded in at read time.
    decided = models.IntegerField(default=0, db_default=0)
    electronic_result = models.IntegerField(default=0, db_default=0)
    digitised = models.IntegerField(default=0, db_default=0)
    reused = models.IntegerField(default=0, db_default=0)
    population = models.IntegerField(default=0, db_default=0)
    citizen_store = models.IntegerField(default=0, db_default=0)
    complained = models.IntegerField(default=0, db_default=0)  # processed: finished in the month or open at its end
    complained_open = models.IntegerField(default=0, db_default=0)
    # Received in the month and paid by now (kept current by the services): a period subtracts the ones
    # paid after its end (selectors._paid_after, a GiST index over receipt-to-payment ranges).
    paid_ever = models.IntegerField(default=0, db_default=0)
    paid_online_ever = models.IntegerField(default=0, db_default=0)
    synced = models.IntegerField(default=0, db_default=0)  # received in the month and held by the national portal

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "agency", "procedure", "channel"], name="one_report_month_row"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.agency_id} {self.procedure_id} {self.channel}"


class ReportMonthBuilt(models.Model):
    month = models.DateField(unique=True)
    built_at = models.DateTimeField()
    rows = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.month:%Y-%m}"
