"""The electronic form printed as the official tờ khai (PDF): blank from the procedure page, filled from a dossier.

Laid out like the ministry's paper forms: the national name and motto (quốc hiệu, tiêu ngữ) on top, the
title, "Kính gửi" for the addressee, the fields in order with a dotted line where nothing was written,
the repeated groups (the parents) as numbered blocks, the commitment and the declarant's signature.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from . import formdefs
from .formtext import bind

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

# A repeated group printed blank gets this many rows at least, so the paper form has room to write.
BLANK_ROWS = 2


def _blank_for_paper(definition: formdefs.Definition) -> dict:
    values = formdefs.blank_values(definition)
    for item in definition.items:
        if item.is_group and item.repeated:
            rows = max(min(item.repeat_max, BLANK_ROWS), item.repeat_min or 0, 1)
            values[item.name] = [values[item.name][0]] * rows
    return values


def render_declaration(definition: formdefs.Definition, values: dict | None = None, *, procedure=None,
                       addressee: str = "", code: str = "", filed_at: dt.datetime | None = None,
                       version=None, signer: str = "", language: str = "vi") -> bytes:
    """The tờ khai as PDF: blank when `values` is None, else filled with the cleaned values of a dossier."""
    with translation.override(language):
        blank = values is None
        context = {
            "form": bind(definition, _blank_for_paper(definition) if blank else values),
            "definition": definition,
            "blank": blank,
            "procedure": procedure,
            "addressee": addressee,
            "code": code,
            "filed_at": filed_at,
            "version": version,
            "signer": signer,
        }
        html = render_to_string("forms/declaration.html", context)
    base_url = (Path(settings.BASE_DIR) / "static").resolve().as_uri() + "/"
    from weasyprint import HTML  # imported where a PDF is printed, not at start-up

    return HTML(string=html, base_url=base_url).write_pdf()


def render_filed_declaration(dossier, *, language: str = "vi") -> bytes:
    """A dossier's tờ khai as filed: its form version, its values, addressed to its receiving agency."""
    version = dossier.form_definition
    return render_declaration(version.parsed(), dossier.form_data or {}, procedure=dossier.procedure,
                              addressee=dossier.agency.name, code=dossier.code or dossier.reference,
                              filed_at=dossier.submitted_at or dossier.received_at or dossier.created_at,
                              version=version, signer=dossier.applicant_name, language=language)
