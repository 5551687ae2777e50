"""The catalogue's boundary-free flag (Decree 309/2026, phi địa giới) and where a component's data is held
(population database, digitised records): read from a file, refused when wrong, written back by the export."""

import csv
import io

from procedures import importing, selectors
from procedures.models import Component, Procedure
from procedures.services import import_catalogue
from tests.procedures.test_import import csv_bytes, row


def _export_rows():
    out = io.BytesIO()
    importing.write(selectors.catalogue_for_export(), out, "csv")
    return out.getvalue().decode("utf-8-sig")


def test_import_sets_the_flags_and_export_writes_them(db):
    components = "Tờ khai|original|1|required; Giấy tờ tùy thân|copy|1|required|population; " \
                 "Bản sao Giấy khai sinh|copy|1|optional|reused"
    report = import_catalogue(csv_bytes([row(components=components, boundary_free="true")]), "c.csv")
    assert report.ok, report.errors
    procedure = Procedure.objects.get()
    assert procedure.boundary_free
    assert list(Component.objects.order_by("order").values_list("held_in", flat=True)) == ["", "population", "reused"]
    text = _export_rows()
    assert "Giấy tờ tùy thân|copy|1|required|population" in text and "Tờ khai|original|1|required;" in text
    header, first = list(csv.reader(io.StringIO(text)))[:2]
    assert first[header.index("boundary_free")] == "true"
    # A file without the column keeps the flag; one that says false clears it.
    assert import_catalogue(csv_bytes([row(components=components)]), "c.csv").ok
    assert Procedure.objects.get().boundary_free
    assert import_catalogue(csv_bytes([row(components=components, boundary_free="false")]), "c.csv").ok
    assert not Procedure.objects.get().boundary_free


def test_unknown_data_holder_is_refused_with_its_row_and_column(db):
    report = import_catalogue(csv_bytes([row(components="Tờ khai|original|1|required|somewhere")]), "c.csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "components")]
    assert "population" in report.errors[0].message
    assert not Procedure.objects.exists()
