"""Text folding for search: 'Đăng ký KHAI SINH' and 'dang ky khai sinh' fold to the same string."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (đ → d) and collapse whitespace."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
