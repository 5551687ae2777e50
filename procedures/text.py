"""Text folding for search: 'Đăng ký KHAI SINH' and 'dang ky khai sinh' fold to the same string.

Pure Python, no Django: the same folding runs when a procedure is saved and when a query arrives,
so SQLite and PostgreSQL compare plain ASCII-ish text with a plain LIKE and agree on every result.
"""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d) and collapse whitespace."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())


def search_tokens(query: str) -> list[str]:
    """The folded words of a query, each of which must appear in the procedure's text.

    Duplicates are dropped and a word contained in another one is dropped too ("k khai"),
    since it adds a LIKE that cannot change the result.
    """
    words = list(dict.fromkeys(fold(query).split()))
    return [w for w in words if not any(w != other and w in other for other in words)]
