"""Sorting names as a reader of the interface's languages expects: "Égypte" among the E, not after "Yémen".

Python compares strings by code point, which puts every accented initial after Z. ICU (PyICU) is not
available here and `locale.strxfrm` depends on the locales installed on the server, so the key follows
the Unicode Collation Algorithm's default order by hand, level by level: letters without accents or case
first, then accents, then case. French, English and Arabic use that default order; a language whose
tailoring reorders letters (Spanish ñ, Swedish å) would need more.
"""

from __future__ import annotations

import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent, but that sort as their base.
_UNDECOMPOSED = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "đ": "d",
                               "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "ß": "ss", "’": "'"})


def collation_key(text: object) -> tuple[str, str, str]:
    """A sort key: by letters regardless of accents and case, then accents (côte after cote), then case."""
    value = str(text)
    decomposed = unicodedata.normalize("NFKD", value.translate(_UNDECOMPOSED))
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return letters.casefold(), decomposed.casefold(), value
