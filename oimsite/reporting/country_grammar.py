"""Country names inside a sentence, with the article and preposition the language needs.

French gives a country its article and a preposition that depend on the name: "la Côte d'Ivoire", "en Côte
d'Ivoire", "de Côte d'Ivoire"; "le Sénégal", "au Sénégal", "du Sénégal"; "les États-Unis d'Amérique", "aux
États-Unis d'Amérique", "des États-Unis d'Amérique"; "Madagascar", "à Madagascar". The countries of the 2024
baseline are in a table; any other name follows the usual rule (a plural name takes "les", a name starting
with a vowel "l’"/"en", a first word ending in -e is feminine, the rest masculine) with the known exceptions
("le Mexique", "le Cambodge", "la Sierra Leone"…). Elisions use the catalogue's typographic apostrophe.
English puts "the" before plural names and names of republics, kingdoms and islands. Any other language uses
three catalogue messages (`to %(country)s`…), so that a language whose prepositions do not change with the
name (Arabic) only needs its translation.
"""

from __future__ import annotations

import enum
import re

from django.utils.translation import get_language, pgettext
from django_countries import countries


class Form(enum.Enum):
    """How a country stands in a sentence."""

    NAME = "name"  # as subject or object: "la Côte d'Ivoire", "the Netherlands"
    TO = "to"  # where people go, or are: "en Côte d'Ivoire", "to the Netherlands"
    FROM = "from"  # where people come from: "de Côte d'Ivoire", "from the Netherlands"


# --- French ---------------------------------------------------------------------------------------------

class Gender(enum.Enum):
    FEMININE = "f"  # la Guinée, en Guinée, de Guinée
    MASCULINE = "m"  # le Sénégal, au Sénégal, du Sénégal
    PLURAL = "p"  # les Pays-Bas, aux Pays-Bas, des Pays-Bas
    NO_ARTICLE = "a"  # Madagascar, à Madagascar, de Madagascar (islands, city states)
    NO_ARTICLE_EN = "e"  # Israël, en Israël, d’Israël; Haïti


F, M, P, A, E = Gender.FEMININE, Gender.MASCULINE, Gender.PLURAL, Gender.NO_ARTICLE, Gender.NO_ARTICLE_EN

# Every country of the 2024 baseline (returns, host countries, destinations, nationalities).
BASELINE_GENDERS: dict[str, Gender] = {
    "AO": M, "BD": M, "BF": M, "BI": M, "BJ": M, "CA": M, "CD": F, "CF": F, "CG": M, "CI": F, "CM": M, "CV": M,
    "DE": F, "EG": F, "ET": F, "FR": F, "GA": M, "GH": M, "GM": F, "GN": F, "GR": F, "GW": F, "KM": P, "LK": M,
    "LR": M, "LY": F, "MA": M, "MG": A, "ML": M, "MR": F, "NE": M, "NG": M, "NL": P, "PK": M, "SD": M, "SE": F,
    "SL": F, "SN": M, "SS": M, "SY": F, "TD": M, "TG": M, "TR": F, "US": P, "YE": M,
}

# Names the rule gets wrong: masculine names ending in -e, a feminine name whose first word does not end in -e,
# singular names ending in -s, and names used without an article.
FRENCH_EXCEPTIONS: dict[str, Gender] = {
    "MX": M, "KH": M, "MZ": M, "ZW": M, "BZ": M, "SR": M, "GB": M, "VA": M,  # le Mexique, le Cambodge…
    "SL": F,  # la Sierra Leone
    "HN": M, "LA": M, "BY": F,  # le Honduras, le Laos, la Biélorussie
    "CU": A, "CY": A, "MT": A, "MU": A, "SG": A, "BH": A, "MC": A, "MG": A, "OM": A, "TW": A, "HK": A, "MO": A,
    "PR": A, "DJ": A, "JE": A, "GG": A, "CW": A, "AW": A, "NR": A, "TV": A, "KI": A, "TO": A, "ST": A, "SM": A,
    "KN": A, "LC": A, "YT": A, "BL": A, "MF": A, "SX": A, "PM": A, "TT": A, "WF": A, "MS": A, "GI": A, "GU": A,
    "AI": A, "NU": A, "TK": A, "BQ": A, "SH": A, "VC": A,  # à Cuba, à Chypre, à Maurice…
    "IL": E, "HT": E,  # en Israël, en Haïti
    "FJ": P, "PW": P, "SB": P, "WS": P, "AS": P,  # les Fidji, les Palaos, les Salomon, les Samoa
    "IO": M,  # le Territoire britannique de l'océan Indien
}

_VOWELS = "AEIOUÀÂÄÉÈÊËÎÏÔÖÙÛÜÅ"
_WORD = re.compile(r"[\s\-'’,(]")


def french_gender(code: str, name: str) -> Gender:
    """The table's gender for `code`, else the rule applied to its French `name`."""
    return BASELINE_GENDERS.get(code) or FRENCH_EXCEPTIONS.get(code) or rule_gender(name)


def rule_gender(name: str) -> Gender:
    """The usual rule: the first word of a plural name ends in -s (les Pays-Bas, les Îles Cook); a first word
    ending in -e is feminine (la Guinée, la République centrafricaine); the others are masculine."""
    first = _WORD.split(name, maxsplit=1)[0]
    if first.endswith("s"):
        return P
    if first.endswith("e"):
        return F
    return M


def _elides(name: str) -> bool:
    return name[:1].upper() in _VOWELS


def french(code: str, name: str, form: Form) -> str:
    gender = french_gender(code, name)
    de = "d’" if _elides(name) else "de "
    if gender is P:
        return {Form.NAME: f"les {name}", Form.TO: f"aux {name}", Form.FROM: f"des {name}"}[form]
    if gender in (A, E):
        return {Form.NAME: name, Form.TO: f"{'à' if gender is A else 'en'} {name}", Form.FROM: f"{de}{name}"}[form]
    if _elides(name):
        return {Form.NAME: f"l’{name}", Form.TO: f"en {name}", Form.FROM: f"d’{name}"}[form]
    if gender is F:
        return {Form.NAME: f"la {name}", Form.TO: f"en {name}", Form.FROM: f"de {name}"}[form]
    return {Form.NAME: f"le {name}", Form.TO: f"au {name}", Form.FROM: f"du {name}"}[form]


# --- English --------------------------------------------------------------------------------------------

_ENGLISH_THE_WORDS = {"Republic", "Kingdom", "Islands", "Emirates", "Federation", "Territories", "States"}
_ENGLISH_THE_NAMES = {"Netherlands", "Comoros", "Philippines", "Maldives", "Seychelles", "Bahamas", "Gambia"}


def english(code: str, name: str, form: Form) -> str:
    if name.endswith(" (The)"):  # django-countries writes "Bahamas (The)"
        name, the = name.removesuffix(" (The)"), True
    else:
        words = set(name.split(" (")[0].split())
        the = bool(words & _ENGLISH_THE_WORDS) or name in _ENGLISH_THE_NAMES
    name = f"the {name}" if the else name
    return {Form.NAME: name, Form.TO: f"to {name}", Form.FROM: f"from {name}"}[form]


# --- Any other language: the catalogue ------------------------------------------------------------------

def catalogue(code: str, name: str, form: Form) -> str:
    # Translators: these three messages serve only languages without rules above (not French nor English):
    # the country's name, from django-countries, goes where %(country)s is.
    if form is Form.TO:
        template = pgettext("country in a sentence, where people go (languages without rules in country_grammar.py)",
                            "to %(country)s")
    elif form is Form.FROM:
        template = pgettext("country in a sentence, where people come from (languages without rules in "
                            "country_grammar.py)", "from %(country)s")
    else:
        template = pgettext("country in a sentence, as subject or object (languages without rules in "
                            "country_grammar.py)", "%(country)s")
    return template % {"country": name}


RULES = {"fr": french, "en": english}


def phrase(code: str, form: Form = Form.NAME) -> str:
    """`code`'s name in the active language, as it stands in a sentence in `form`."""
    name = str(countries.name(code)) or code
    language = (get_language() or "fr").split("-")[0]
    return RULES.get(language, catalogue)(code, name, form)
