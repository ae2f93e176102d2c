"""The year's summary written as prose from the indicators, in the interface language.

The sentences state the facts of the published press summary in its order: returns from Morocco and their
countries, the main countries, virtual counselling before departure, post-return support and its reinforced
share; Moroccans returning home and their main host country, the shares of men and of 18–35-year-olds,
reintegration support and its share; refugees resettled by destination. Where the year before has the same
kind of records, a sentence says how the count moved. A sentence with nothing to count is left out.

A summary is a list of sentences, each a list of parts: text, and figures that carry the URL of the records
they count (the indicators' drill-downs). It is rendered as HTML with links (the page) or as plain text (the
`report --format text` command, the copy button).

Every sentence is one translatable message, with `ngettext` where a count governs its grammar. A number in
it is a placeholder, filled with a figure or with a smaller translated phrase that carries its own plural (a
count and its noun, "32 pays") or a country with its article and preposition (country_grammar.py). Lists of
countries are joined by the language's list pattern (CLDR, through Babel). No sentence is put together from
translated words, so a language is added by translating the catalogue.

The rounding of shares and the words for a movement are set here, in one place (CONVENTION), and explained
on the page by `rules()`; docs/indicators.md says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from babel import Locale
from babel.lists import format_list
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext, pgettext, to_locale

from oimsite.reporting import indicators
from oimsite.reporting.country_grammar import Form, phrase
from oimsite.reporting.indicators import Indicator, Report
from oimsite.reporting.models import PublishedFigure


@dataclass(frozen=True)
class Convention:
    """How the text writes shares and movements."""

    # Decimals a share is written with; the others are whole percents. The published report wrote the
    # reinforced share with one decimal (10.4 %) and the other shares as whole percents.
    share_decimals: tuple[tuple[str, int], ...] = (("avrr.enhanced_support", 1),)
    # A movement, the change rounded to a whole percent: stable below `stable_below` (in absolute value),
    # slight below `slight_below`, plain below `sharp_from`, sharp from it.
    stable_below: int = 2
    slight_below: int = 10
    sharp_from: int = 25
    # How many countries of return the text names.
    main_countries: int = 4

    def decimals(self, key: str) -> int:
        return dict(self.share_decimals).get(key, 0)


CONVENTION = Convention()


# --- the parts of a sentence -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Figure:
    """A number of the text and the records it counts."""

    text: str
    url: str
    key: str
    year: int


Part = Text | Figure
Value = str | Figure | list[Part]


@dataclass
class Sentence:
    key: str  # what it states: the indicator key, "<key>.trend" for its movement
    paragraph: str  # "avrr", "moroccans" or "resettlement"
    parts: list[Part]

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts)

    @property
    def figures(self) -> list[Figure]:
        return [part for part in self.parts if isinstance(part, Figure)]


@dataclass
class Summary:
    year: int
    sentences: list[Sentence]
    previous_year: int | None = None  # the year the movements are measured from, if any

    def paragraphs(self) -> list[list[Sentence]]:
        grouped: list[list[Sentence]] = []
        for sentence in self.sentences:
            if grouped and grouped[-1][0].paragraph == sentence.paragraph:
                grouped[-1].append(sentence)
            else:
                grouped.append([sentence])
        return grouped

    @property
    def figures(self) -> list[Figure]:
        return [figure for sentence in self.sentences for figure in sentence.figures]

    def as_text(self) -> str:
        return "\n\n".join(" ".join(s.text for s in paragraph) for paragraph in self.paragraphs())

    def as_html(self) -> SafeString:
        return format_html_join(
            "\n", '<p class="summary-paragraph" data-paragraph="{}">{}</p>',
            ((paragraph[0].paragraph, SafeString(" ".join(_sentence_html(s) for s in paragraph)))
             for paragraph in self.paragraphs()),
        )


def _sentence_html(sentence: Sentence) -> str:
    inner = "".join(
        format_html('<a href="{}" data-key="{}" data-year="{}">{}</a>', part.url, part.key, part.year, part.text)
        if isinstance(part, Figure) else format_html("{}", part.text)
        for part in sentence.parts
    )
    return format_html('<span class="sentence" data-sentence="{}">{}</span>', sentence.key, SafeString(inner))


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def fill(template: str, **values: Value) -> list[Part]:
    """The parts of a translated `template`, its `%(name)s` placeholders replaced by `values` (a string, a
    figure, or the parts of a smaller phrase). Adjacent text is merged."""
    parts: list[Part] = []

    def add(value: Value) -> None:
        for part in (value if isinstance(value, list) else [Text(value) if isinstance(value, str) else value]):
            if isinstance(part, Text) and parts and isinstance(parts[-1], Text):
                parts[-1] = Text(parts[-1].text + part.text)
            elif not isinstance(part, Text) or part.text:
                parts.append(part)

    position = 0
    for match in _PLACEHOLDER.finditer(template):
        add(template[position:match.start()])
        add("%" if match.group(0) == "%%" else values[match.group(1)])
        position = match.end()
    add(template[position:])
    return parts


def listing(items: list[list[Part]]) -> list[Part]:
    """`items` joined as the active language joins a list ("A, B et C", "A, B, and C")."""
    names = {f"item{i}": item for i, item in enumerate(items)}
    pattern = format_list([f"%({name})s" for name in names], locale=Locale.parse(to_locale(get_language() or "fr")))
    return fill(pattern, **names)


# --- numbers as the language writes them ------------------------------------------------------------------

def count_text(value: int) -> str:
    """A count with the language's grouping ("2 196" in French, "2,196" in English)."""
    return number_format(value, force_grouping=True)


def percent_text(value: Decimal, decimals: int = 0) -> str:
    number = number_format(value, decimal_pos=decimals, force_grouping=True)
    return pgettext("a percentage; %(number)s is the number", "%(number)s%%") % {"number": number}


def change_text(change: int) -> str:
    if change > 0:
        return pgettext("a rise, in percent", "+%(number)s%%") % {"number": count_text(change)}
    if change < 0:
        return pgettext("a fall, in percent", "−%(number)s%%") % {"number": count_text(-change)}
    return percent_text(Decimal(0))


def written_share(indicator: Indicator, convention: Convention = CONVENTION) -> Decimal | None:
    """The share as the text writes it: the dashboard's share (one decimal, half up), then, for a whole-percent
    share, its decimal dropped (15.7 → 15, as the published report did; 85.96 → 86.0 → 86)."""
    share = indicator.share
    if share is None:
        return None
    decimals = convention.decimals(indicator.key)
    if decimals >= 1:
        return share.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return share.to_integral_value(rounding=ROUND_FLOOR)


def count_figure(indicator: Indicator, year: int) -> Figure:
    return Figure(count_text(indicator.value), indicator.url, indicator.key, year)


def share_figure(indicator: Indicator, year: int) -> Figure:
    share = written_share(indicator)
    assert share is not None, indicator.key
    return Figure(percent_text(share, CONVENTION.decimals(indicator.key)), indicator.url, indicator.key, year)


# --- count phrases: a number and its noun, with the plural the number asks for ----------------------------

def _countries(figure: Figure, n: int) -> list[Part]:
    return fill(ngettext("%(count)s country", "%(count)s countries", n), count=figure)


def _people(figure: Figure, n: int) -> list[Part]:
    return fill(ngettext("%(count)s person", "%(count)s people", n), count=figure)


def _migrants(figure: Figure, n: int) -> list[Part]:
    return fill(ngettext("%(count)s migrant", "%(count)s migrants", n), count=figure)


def _moroccans(figure: Figure, n: int) -> list[Part]:
    return fill(ngettext("%(count)s Moroccan", "%(count)s Moroccans", n), count=figure)


def _refugees(figure: Figure, n: int) -> list[Part]:
    return fill(ngettext("%(count)s refugee", "%(count)s refugees", n), count=figure)


# --- movements on the previous year ----------------------------------------------------------------------

def change_percent(current: int, previous: int) -> int:
    """The change in percent, rounded half up to a whole number (from 200 to 224: 12)."""
    ratio = (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)
    return int(ratio.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def movement(change: int, convention: Convention = CONVENTION) -> str:
    """"stable", "slight_rise", "rise", "sharp_rise", "slight_fall", "fall" or "sharp_fall"."""
    size = abs(change)
    if size < convention.stable_below:
        return "stable"
    direction = "rise" if change > 0 else "fall"
    if size < convention.slight_below:
        return f"slight_{direction}"
    if size < convention.sharp_from:
        return direction
    return f"sharp_{direction}"


def _movement_template(kind: str) -> str:
    # One whole sentence per kind of movement, so that each language words it as it likes.
    if kind == "sharp_rise":
        return pgettext("movement", "This number is up sharply on %(previous_year)s (%(previous)s; %(change)s).")
    if kind == "rise":
        return pgettext("movement", "This number is up on %(previous_year)s (%(previous)s; %(change)s).")
    if kind == "slight_rise":
        return pgettext("movement", "This number is up slightly on %(previous_year)s (%(previous)s; %(change)s).")
    if kind == "stable":
        return pgettext("movement", "This number is stable compared with %(previous_year)s (%(previous)s; "
                                    "%(change)s).")
    if kind == "slight_fall":
        return pgettext("movement", "This number is down slightly on %(previous_year)s (%(previous)s; "
                                    "%(change)s).")
    if kind == "fall":
        return pgettext("movement", "This number is down on %(previous_year)s (%(previous)s; %(change)s).")
    return pgettext("movement", "This number is down sharply on %(previous_year)s (%(previous)s; %(change)s).")


# The counts whose movement the text states, with the noun of the previous year's count.
_MOVING = {
    "avrr.returned": _migrants,
    "avrr.predeparture_virtual_counselling": _migrants,
    "avrr.post_return_support": _migrants,
    "moroccans.returned": _moroccans,
    "moroccans.reintegration_support": _people,
    "resettlement.departed": _refugees,
}


# --- the sentences -----------------------------------------------------------------------------------------

def _returns_from_morocco(report: Report) -> list[Sentence]:
    year, returned = report.year, report["avrr.returned"]
    if not returned.value:
        return []
    countries = report["avrr.countries"]
    sentences = [Sentence("avrr.returned", "avrr", fill(
        ngettext(
            "In %(year)s, %(count)s migrant left Morocco to return to their country of origin with IOM's assisted "
            "voluntary return programme, to %(countries)s.",
            "In %(year)s, %(count)s migrants left Morocco to return to their countries of origin with IOM's "
            "assisted voluntary return programme, to %(countries)s.",
            returned.value),
        year=str(year), count=count_figure(returned, year),
        countries=_countries(count_figure(countries, year), countries.value),
    ))]
    rows = [row for row in report.breakdowns["avrr.by_country"].rows if row.value]
    if len(rows) == 1:
        row = rows[0]
        sentences.append(Sentence("avrr.by_country", "avrr", fill(
            gettext("The only country of return is %(country)s, with %(people)s."),
            country=phrase(row.code, Form.NAME),
            people=_people(Figure(count_text(row.value), row.url, f"avrr.by_country.{row.code}", year), row.value),
        )))
    elif rows:
        items = [
            fill(gettext("%(country)s with %(people)s"), country=phrase(row.code, Form.NAME),
                 people=_people(Figure(count_text(row.value), row.url, f"avrr.by_country.{row.code}", year),
                                row.value))
            for row in rows[:CONVENTION.main_countries]
        ]
        sentences.append(Sentence("avrr.by_country", "avrr", fill(
            gettext("The main countries of return are %(countries)s."), countries=listing(items))))
    return sentences


def _counselling(report: Report) -> list[Sentence]:
    counselled = report["avrr.predeparture_virtual_counselling"]
    if not counselled.value:
        return []
    return [Sentence(counselled.key, "avrr", fill(
        ngettext(
            "%(count)s migrant had virtual counselling sessions before departure, held by IOM teams in their "
            "country of origin.",
            "%(count)s migrants had virtual counselling sessions before departure, held by IOM teams in their "
            "countries of origin.",
            counselled.value),
        count=count_figure(counselled, report.year),
    ))]


def _post_return_support(report: Report) -> list[Sentence]:
    supported, enhanced = report["avrr.post_return_support"], report["avrr.enhanced_support"]
    if not supported.value:
        return []
    if enhanced.value:
        template = ngettext(
            "%(count)s migrant received post-return support, reinforced (%(share)s) because of a particular "
            "vulnerability.",
            "%(count)s migrants received post-return support; %(share)s of them were given reinforced support "
            "because of a particular vulnerability.",
            supported.value)
        parts = fill(template, count=count_figure(supported, report.year), share=share_figure(enhanced, report.year))
    else:
        template = ngettext("%(count)s migrant received post-return support.",
                            "%(count)s migrants received post-return support.", supported.value)
        parts = fill(template, count=count_figure(supported, report.year))
    return [Sentence(supported.key, "avrr", parts)]


def _moroccans_returned(report: Report) -> list[Sentence]:
    year, returned = report.year, report["moroccans.returned"]
    if not returned.value:
        return []
    rows = [row for row in report.breakdowns["moroccans.by_host"].rows if row.value]
    main = rows[0]
    if len(rows) == 1:
        parts = fill(
            ngettext("In %(year)s, IOM helped %(count)s Moroccan return to Morocco %(from_country)s.",
                     "In %(year)s, IOM helped %(count)s Moroccans return to Morocco %(from_country)s.",
                     returned.value),
            year=str(year), count=count_figure(returned, year), from_country=phrase(main.code, Form.FROM))
    else:
        host = Figure(count_text(main.value), main.url, f"moroccans.by_host.{main.code}", year)
        parts = fill(
            ngettext(
                "In %(year)s, IOM helped %(count)s Moroccan return to Morocco from abroad, including %(people)s "
                "%(from_country)s.",
                "In %(year)s, IOM helped %(count)s Moroccans return to Morocco from abroad, including %(people)s "
                "%(from_country)s.",
                returned.value),
            year=str(year), count=count_figure(returned, year), people=_people(host, main.value),
            from_country=phrase(main.code, Form.FROM))
    sentences = [Sentence(returned.key, "moroccans", parts)]
    men, young = report["moroccans.male_share"], report["moroccans.age_18_35_share"]
    sentences.append(Sentence("moroccans.shares", "moroccans", fill(
        gettext("Men make up %(men)s of them, and people aged 18 to 35 %(young)s."),
        men=share_figure(men, year), young=share_figure(young, year),
    )))
    return sentences


def _reintegration(report: Report) -> list[Sentence]:
    supported = report["moroccans.reintegration_support"]
    if not supported.value:
        return []
    return [Sentence(supported.key, "moroccans", fill(
        ngettext(
            "%(count)s person received reintegration support, that is %(share)s of the Moroccans who returned.",
            "%(count)s people received reintegration support, that is %(share)s of the Moroccans who returned.",
            supported.value),
        count=count_figure(supported, report.year), share=share_figure(supported, report.year),
    ))]


def _resettlement(report: Report) -> list[Sentence]:
    year, departed = report.year, report["resettlement.departed"]
    if not departed.value:
        return []
    rows = [row for row in report.breakdowns["resettlement.by_destination"].rows if row.value]
    if len(rows) == 1:
        parts = fill(
            ngettext("In %(year)s, %(count)s refugee was resettled from Morocco %(to_country)s.",
                     "In %(year)s, %(count)s refugees were resettled from Morocco %(to_country)s.", departed.value),
            year=str(year), count=count_figure(departed, year), to_country=phrase(rows[0].code, Form.TO))
    else:
        items = [
            fill(ngettext("%(count)s refugee %(to_country)s", "%(count)s refugees %(to_country)s", row.value),
                 count=Figure(count_text(row.value), row.url, f"resettlement.by_destination.{row.code}", year),
                 to_country=phrase(row.code, Form.TO))
            for row in rows
        ]
        parts = fill(
            ngettext("In %(year)s, %(count)s refugee was resettled from Morocco: %(destinations)s.",
                     "In %(year)s, %(count)s refugees were resettled from Morocco: %(destinations)s.",
                     departed.value),
            year=str(year), count=count_figure(departed, year), destinations=listing(items))
    return [Sentence(departed.key, "resettlement", parts)]


_SECTIONS = (_returns_from_morocco, _counselling, _post_return_support, _moroccans_returned, _reintegration,
             _resettlement)


def build(report: Report, previous: Report | None = None) -> Summary:
    """The summary of `report`'s year, with the movements since `previous` (the year before) if given."""
    sentences: list[Sentence] = []
    for section in _SECTIONS:
        for sentence in section(report):
            sentences.append(sentence)
            if previous is not None and sentence.key in _MOVING:
                sentences.extend(_movements(report[sentence.key], sentence.paragraph, previous))
    return Summary(report.year, sentences, previous.year if previous is not None else None)


def _movements(current: Indicator, paragraph: str, previous: Report) -> list[Sentence]:
    before = previous.indicators.get(current.key)
    if before is None or not before.value:
        return []
    change = change_percent(current.value, before.value)
    return [Sentence(f"{current.key}.trend", paragraph, fill(
        _movement_template(movement(change)),
        previous_year=str(previous.year),
        previous=_MOVING[current.key](count_figure(before, previous.year), before.value),
        change=change_text(change),
    ))]


def previous_report(year: int, years: Iterable[int] | None = None) -> Report | None:
    """The report of the year before `year` if that year has records (`years`: the years with records)."""
    years = indicators.years_with_records() if years is None else years
    return indicators.compute(year - 1) if year - 1 in years else None


def for_year(year: int) -> Summary:
    """The summary of `year`, with its movements since the year before."""
    return build(indicators.compute(year), previous_report(year))


# --- the rules, as the page states them --------------------------------------------------------------------

def share_rule(convention: Convention = CONVENTION) -> str:
    """How the text rounds shares (shown on the summary and the reconciliation pages)."""
    example = Decimal("15.7")
    decimals = convention.decimals("avrr.enhanced_support")
    return gettext(
        "Shares are rounded to one decimal, half up, as on the dashboard; the text then writes them as whole "
        "percents without the decimal (%(example)s is written %(written)s), as the published report did. The "
        "share given reinforced support keeps %(decimals)s, as published."
    ) % {
        "example": percent_text(example, 1),
        "written": percent_text(example.to_integral_value(rounding=ROUND_FLOOR)),
        "decimals": ngettext("%(count)s decimal", "%(count)s decimals", decimals) % {"count": decimals},
    }


def rules(convention: Convention = CONVENTION) -> list[str]:
    """How the text is written: the rounding of shares, the words for a movement, the countries named."""
    return [
        share_rule(convention),
        gettext("A movement on the previous year is the change in percent, rounded half up to a whole number: "
                "stable below %(stable)s either way, a slight rise or fall from %(stable)s to below %(slight)s, "
                "a rise or fall from %(slight)s to below %(sharp)s, a sharp rise or fall from %(sharp)s.") % {
            "stable": percent_text(Decimal(convention.stable_below)),
            "slight": percent_text(Decimal(convention.slight_below)),
            "sharp": percent_text(Decimal(convention.sharp_from)),
        },
        ngettext("The text names the country of return with the most returns.",
                 "The text names the %(count)s countries of return with the most returns.",
                 convention.main_countries) % {"count": convention.main_countries},
        gettext("A sentence with nothing to count in the year is left out. Every count and every share links to "
                "the records it counts."),
    ]


# --- where the published text rounded otherwise (for the reconciliation page) -----------------------------

@dataclass(frozen=True)
class RoundingNote:
    indicator: Indicator
    figure: PublishedFigure
    written: Decimal  # as the summary writes the share

    @property
    def exact(self) -> Decimal:
        return Decimal(self.indicator.value) * 100 / Decimal(self.indicator.denominator or 1)

    @property
    def half_up(self) -> Decimal:
        """The share rounded half up to the precision of the published figure."""
        return self.exact.quantize(self.figure.quantum(), rounding=ROUND_HALF_UP)

    @property
    def text(self) -> str:
        decimals = self.figure.decimal_places
        return gettext(
            "%(indicator)s: %(numerator)s / %(denominator)s = %(share)s. Rounded half up: %(half_up)s; published: "
            "%(published)s; the written summary gives %(written)s."
        ) % {
            "indicator": self.indicator.label, "numerator": count_text(self.indicator.value),
            "denominator": count_text(self.indicator.denominator or 0),
            "share": percent_text(self.indicator.share or Decimal(0), 1),
            "half_up": percent_text(self.half_up, decimals), "published": percent_text(self.figure.value, decimals),
            "written": percent_text(self.written, CONVENTION.decimals(self.indicator.key)),
        }


def rounding_notes(report: Report) -> list[RoundingNote]:
    """The published shares of the year that are not their share rounded half up, or that the summary writes
    otherwise than published."""
    notes: list[RoundingNote] = []
    for indicator, comparison in report.comparisons():
        if indicator is None or not comparison.figure.is_percent or not indicator.denominator:
            continue
        written = written_share(indicator)
        assert written is not None
        note = RoundingNote(indicator, comparison.figure, written)
        if note.half_up != comparison.figure.value or written != comparison.figure.value:
            notes.append(note)
    return notes

