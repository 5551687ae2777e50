"""Which components of a submission the state already holds, so the citizen does not upload them again
(Decree 309/2026), and the facts each reuse leaves on the dossier component (`data_source`, counted by
Decision 766 indicators 4.3 and 4.5b).

- a component the catalogue says the population database holds (`held_in = population`) is taken from it
  when the citizen consented and the look-up answered (`population.services.usable_lookup`);
- a component held in digitised records (`held_in = reused`) is taken from the citizen's own earlier
  dossier that has it scanned (same catalogue component, else same name): the scan is copied to the new
  dossier, not shared, so either dossier's files can be removed alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils.translation import gettext as _

from dossiers.models import ComponentSource, DossierComponent
from procedures.models import DataHolder


@dataclass(frozen=True)
class Reuse:
    component_id: int
    source: str  # a ComponentSource value
    label: str  # what the citizen is told instead of an upload box
    previous: DossierComponent | None = None


def reuse_plan(procedure, citizen, lookup=None) -> dict[int, Reuse]:
    """{catalogue component id: Reuse} for the components of `procedure` the state holds for `citizen`."""
    plan: dict[int, Reuse] = {}
    components = [c for c in procedure.components.all() if c.held_in]
    if not components or citizen is None or not citizen.is_authenticated:
        return plan
    wanted_reuse = [c for c in components if c.held_in == DataHolder.REUSED]
    earlier: list[DossierComponent] = []
    if wanted_reuse:
        earlier = list(
            DossierComponent.objects.filter(Q(dossier__citizen=citizen) | Q(dossier__created_by=citizen))
            .filter(Q(component_id__in=[c.pk for c in wanted_reuse]) | Q(name__in=[c.name for c in wanted_reuse]))
            .exclude(file="").select_related("dossier").order_by("-added_at", "-id")[:50]
        )
    for component in components:
        if component.held_in == DataHolder.POPULATION and lookup is not None:
            plan[component.pk] = Reuse(component.pk, ComponentSource.POPULATION,
                                       _("Lấy từ Cơ sở dữ liệu quốc gia về dân cư, không cần tải lên."))
        elif component.held_in == DataHolder.REUSED:
            previous = next((e for e in earlier if e.component_id == component.pk), None) or \
                next((e for e in earlier if e.name == component.name), None)
            if previous is not None:
                plan[component.pk] = Reuse(
                    component.pk, ComponentSource.REUSED,
                    _("Dùng lại bản đã số hóa trong hồ sơ %(ref)s, không cần tải lên.")
                    % {"ref": previous.dossier.reference}, previous)
    return plan


def reused_component(reuse: Reuse) -> tuple[dict, File | None]:
    """The submission's component entry for a reuse, and the file handle the caller closes afterwards."""
    entry = {"component": reuse.component_id, "data_source": reuse.source}
    if reuse.previous is None:
        return entry, None
    try:
        handle = default_storage.open(reuse.previous.file.name, "rb")
    except FileNotFoundError:
        return {"component": reuse.component_id}, None
    upload = File(handle, name=reuse.previous.original_filename or reuse.previous.file.name.rsplit("/", 1)[-1])
    entry["file"] = upload
    return entry, upload
