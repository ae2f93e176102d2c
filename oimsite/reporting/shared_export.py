"""The aggregate report shared outside IOM: counts by country and sex, and the surveyed returnees by country and
sustainability, with small cells suppressed.

One GROUP BY per table over the populations the indicator module counts (the same QuerySet methods:
`from_morocco().returned_in(year)`, `departed_in(year)`), so its totals are the dashboard's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _
from django_countries import countries

from oimsite.core.collation import collation_key
from oimsite.core.models_base import Sex
from reintegration.models import SustainabilitySurvey
from resettlement.models import Refugee
from returns.models import Returnee

from .suppression import CountTable, displayed_rows, is_withheld, neutralise, small_label, suppress


def _table(title: str, queryset: QuerySet, country_field: str) -> CountTable:
    rows = queryset.order_by().values_list(country_field, "sex").annotate(n=Count("pk"))
    by_code: dict[str, dict[str, int]] = {}
    for code, sex, n in rows:
        by_code.setdefault(str(code), {})[sex] = n
    names = {code: str(countries.name(code) or code) for code in by_code}
    # In the order of the reader's language ("Égypte" before "Yémen"), not by code point.
    codes = sorted(by_code, key=lambda code: collation_key(names[code]))
    sexes = [value for value, _label in Sex.choices]
    return CountTable(
        title=title,
        row_labels=[names[code] for code in codes],
        column_labels=[str(label) for _value, label in Sex.choices],
        counts=[[by_code[code].get(sex, 0) for sex in sexes] for code in codes],
    )


def _sustainability_table(year: int) -> CountTable:
    """Returnees surveyed in the year (latest survey of the year each) by country of return, at or above the
    threshold of sustainable reintegration or below it."""
    rows = (SustainabilitySurvey.objects.latest_per_returnee_in(year).order_by()
            .values_list("returnee__return_country")
            .annotate(ok=Count("pk", filter=Q(composite_score__gte=F("version__threshold"))), n=Count("pk")))
    by_code = {str(code): (ok, n - ok) for code, ok, n in rows}
    names = {code: str(countries.name(code) or code) for code in by_code}
    codes = sorted(by_code, key=lambda code: collation_key(names[code]))
    return CountTable(
        title=_("Returnees surveyed in %(year)s on the sustainability of their reintegration, by country of return")
        % {"year": year},
        row_labels=[names[code] for code in codes],
        column_labels=[_("At or above the threshold"), _("Below the threshold")],
        counts=[list(by_code[code]) for code in codes],
    )


def shared_tables(year: int) -> list[CountTable]:
    """The four tables of the shared report for a year, before suppression."""
    return [
        _table(_("Returns from Morocco in %(year)s, by country of return and sex") % {"year": year},
               Returnee.objects.from_morocco().returned_in(year), "return_country"),
        _table(_("Moroccans returned to Morocco in %(year)s, by host country and sex") % {"year": year},
               Returnee.objects.to_morocco().returned_in(year), "host_country"),
        _table(_("Refugees resettled from Morocco in %(year)s, by resettlement country and sex") % {"year": year},
               Refugee.objects.departed_in(year), "file__destination_country"),
        _sustainability_table(year),
    ]


def threshold() -> int:
    return int(getattr(settings, "OIM_SUPPRESSION_THRESHOLD", 5))


def shared_report_lines(year: int) -> list[list[object]]:
    """Every line of the shared report, cells already suppressed and neutralised."""
    limit = threshold()
    lines: list[list[object]] = [
        [_("IOM Morocco — aggregate figures for %(year)s, for sharing outside IOM.") % {"year": year}],
        [_(
            "Small-cell suppression: counts from 1 to %(threshold)s are shown as %(label)s; cells marked x are "
            "hidden so that those counts cannot be worked out from the totals."
        ) % {"threshold": limit, "label": small_label(limit)}],
        [],
    ]
    for table in shared_tables(year):
        suppress(table, limit)
        lines.append([table.title])
        if is_withheld(table):
            lines.append([_("Withheld (..): these counts are too small to publish without revealing some of them.")])
        lines.extend(displayed_rows(table, limit, total_label=_("Total")))
        lines.append([])
    return [[neutralise(cell) for cell in line] for line in lines]


def as_csv(lines: Iterable[list[object]]) -> str:
    buffer = io.StringIO()
    # The BOM makes Excel read UTF-8 (country names, "≤").
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerows(lines)
    return buffer.getvalue()


def as_xlsx(lines: Iterable[list[object]], sheet_title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
