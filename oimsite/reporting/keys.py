"""The catalogue of indicator keys: which keys name an indicator of the annual report, in what order they
are shown, which have a percentage.

Apart from the records and the models, so that a published figure can check its key
(`PublishedFigure.clean`) without importing the module that computes the indicators.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_countries import countries

# Order of the headline keys (the baseline sheet's order); country keys follow their total.
ORDER = (
    "avrr.returned", "avrr.countries", "avrr.by_country", "avrr.predeparture_virtual_counselling",
    "avrr.post_return_support", "avrr.enhanced_support", "moroccans.returned", "moroccans.by_host",
    "moroccans.male_share", "moroccans.age_18_35_share", "moroccans.reintegration_support",
    "moroccans.enhanced_support", "resettlement.departed", "resettlement.by_destination",
)

# Indicators that end in a country code, and those that have a denominator (published as percentages too).
COUNTRY_PREFIXES = ("avrr.by_country", "moroccans.by_host", "resettlement.by_destination")
SHARE_KEYS = (
    "avrr.predeparture_virtual_counselling", "avrr.enhanced_support", "moroccans.male_share",
    "moroccans.age_18_35_share", "moroccans.reintegration_support", "moroccans.enhanced_support",
)


def rank(key: str) -> int:
    """The place of `key` in the report: its own, or its total's for a country key."""
    for i, prefix in enumerate(ORDER):
        if key == prefix or key.startswith(prefix + "."):
            return i
    return len(ORDER)


def key_problem(key: str) -> str | None:
    """Why `key` names no indicator (a message for the user), or None if it does.

    A count indicator's key, or `<key>.share` for the percentage of one that has a denominator.
    """
    base = key.removesuffix(".share")
    if key.endswith(".share") and base not in SHARE_KEYS:
        return _("Only these indicators have a percentage (.share): %(keys)s.") % {"keys": ", ".join(SHARE_KEYS)}
    prefix, _sep, code = base.rpartition(".")
    if prefix in COUNTRY_PREFIXES:
        if code not in dict(countries):
            return _("“%(code)s” is not an ISO 3166 country code.") % {"code": code}
        return None
    if base not in ORDER or base in COUNTRY_PREFIXES:
        return _("Unknown indicator “%(key)s”: use a key of the annual report, e.g. avrr.returned.") % {"key": key}
    return None
