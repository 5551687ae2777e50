"""Which requested documents a supplement reply answers. Pure: no Django import.

A round lists the documents asked for, one per line. A reply answers an item when one of its documents
carries the item's name (compared without case, diacritics or extra spaces, as the citizen's upload form
and the desk's checklist both name each document after the item it answers). The round stays open
until every item is answered, or an officer accepts the reply as complete with a note.
"""

from __future__ import annotations

import unicodedata

# The applicant's time to supplement when the officer sets none (printed on form 02), in working days.
DEFAULT_DEADLINE_WORKING_DAYS = 5


def _key(text: str) -> str:
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().strip(" -•\t.;:").split())


def split_items(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def answer(items: list[str], answered: list[str], reply_names: list[str]) -> tuple[list[str], list[str]]:
    """(answered, missing) after a reply naming `reply_names`: the items answered before or now, in the
    order asked, and those still missing."""
    given = {_key(name) for name in (*answered, *reply_names)}
    done = [item for item in items if _key(item) in given]
    missing = [item for item in items if _key(item) not in given]
    return done, missing
