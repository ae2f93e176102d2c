"""The dashboard (the annual report, live), the reconciliation with the published figures and the year's summary
written as prose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from oimsite.core import params
from oimsite.lists.exports import export_done
from oimsite.reporting import comparison as year_comparison
from oimsite.reporting import indicators, summary_text
from oimsite.reporting import sustainability as sustainability_figures
from oimsite.reporting.models import PublishedFigure
from oimsite.reporting.shared_export import as_csv, as_xlsx, shared_report_lines
from resettlement.models import ResettlementFile
from returns.models import Returnee


class YearForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int,
        error_messages={"invalid_choice": _("There is no record for the year “%(value)s”: choose a year in the list.")},
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]


class ReportPageMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Reads and validates `?year=`, defaulting to the latest year with records, and computes the report."""

    # Aggregate figures only; each number's drill-down list checks its own permission.
    permission_required = "accounts.view_dashboard"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Every year with a record has a report (a year of follow-up sessions only, too); without a
        # choice, the latest year with returns or departures, the report's subject.
        record_years = indicators.record_years()
        years = record_years.all
        data = {"year": request.GET["year"]} if "year" in request.GET else (
            {"year": record_years.default} if years else None)
        form = YearForm(data, years=years)
        reports = self.compute_reports(form.cleaned_data["year"], years) if data and form.is_valid() else {}
        report = reports[form.cleaned_data["year"]] if reports else None
        context = self.get_context_data(form=form, report=report, reports=reports, years=years)
        status = 400 if data and not form.is_valid() else 200
        return self.render_to_response(context, status=status)

    def compute_reports(self, year: int, years: list[int]) -> dict[int, indicators.Report]:
        """The reports the page shows, by year, `year`'s among them (`years`: the years with records). A page
        that shows several years computes them in one call, so that a write is recounted once for all."""
        return {year: indicators.compute(year)}


def unassigned_cases() -> list[dict[str, Any]]:
    """Open cases nobody owns, per programme (two counts), each with the list of exactly those cases."""
    return [
        {"key": "returnees", "label": _("returnee cases"),
         "value": Returnee.objects.open_cases().unassigned().count(),
         "url": reverse("returns:returnee_list") + "?owner=unassigned&open=true"},
        {"key": "files", "label": _("resettlement files"),
         "value": ResettlementFile.objects.open_cases().unassigned().count(),
         "url": reverse("resettlement:file_list") + "?owner=unassigned&open=true"},
    ]


class DashboardView(ReportPageMixin, TemplateView):
    template_name = "oimsite/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["unassigned"] = unassigned_cases()
        report = context["report"]
        if report is not None:
            b = report.breakdowns
            context["programmes"] = [
                {"id": "avrr", "title": _("Assisted voluntary returns from Morocco"),
                 "indicators": report.headline("avrr"),
                 "breakdowns": [b["avrr.by_country"], b["from_morocco.sex"], b["from_morocco.age"],
                                b["from_morocco.kinds"], b["from_morocco.enhanced_sessions"]]},
                {"id": "moroccans", "title": _("Moroccans returning home"),
                 "indicators": report.headline("moroccans"),
                 "breakdowns": [b["moroccans.by_host"], b["to_morocco.sex"], b["to_morocco.age"],
                                b["to_morocco.kinds"], b["to_morocco.enhanced_sessions"]]},
                {"id": "resettlement", "title": _("Resettlement of refugees"),
                 "indicators": report.headline("resettlement"),
                 "breakdowns": [b["resettlement.by_destination"]]},
            ]
            context.update(year_over_year(report, context["reports"]))
        return context

    def compute_reports(self, year: int, years: list[int]) -> dict[int, indicators.Report]:
        return indicators.compute_years(trend_years(year, years))


# The trend covers the year shown and the years before it, this many at most: what an annual report compares,
# and a bounded amount of work for the page however many years of records there are.
TREND_YEARS = 10


def trend_years(year: int, years: list[int]) -> list[int]:
    """The years of `year`'s trend: those of `years` (the years with records) among the `TREND_YEARS` up to it."""
    return [other for other in years if year - TREND_YEARS < other <= year]


def year_over_year(report: indicators.Report, reports: Mapping[int, indicators.Report]) -> dict[str, Any]:
    """The year's sustainability figures, each figure beside the year before (when it has records) and the
    trend of the headline figures over the years of `reports` (those of `trend_years`, `report` among them):
    a constant number of queries per year, whatever the amount of data."""
    years = list(reports)
    # The year shown and the year before are compared breakdown by breakdown; the others are in the trend only.
    figures = {year: (reports[year], sustainability_figures.compute(year, breakdowns=report.year - year <= 1))
               for year in years}
    current, sustainability = figures[report.year]
    previous_year = report.year - 1 if report.year - 1 in figures else None
    if previous_year is not None:
        before, before_sustainability = figures[previous_year]
        year_comparison.attach_previous(current.indicators, current.breakdowns, before.indicators, before.breakdowns)
        year_comparison.attach_previous(sustainability.indicators, sustainability.breakdowns,
                                   before_sustainability.indicators, before_sustainability.breakdowns)
    per_year = [(year, {**r.indicators, **s.indicators}) for year, (r, s) in figures.items()]
    return {"sustainability": sustainability, "previous_year": previous_year,
            "trend": year_comparison.trend(per_year) if len(years) > 1 else [],
            "trend_years": sorted(years)}


@dataclass(frozen=True)
class ReconciliationRow:
    label: str
    indicator: indicators.Indicator | None
    comparison: indicators.Comparison


# The report's sections, by the first part of an indicator's key.
REPORT_SECTIONS = {
    "avrr": _("Assisted voluntary returns from Morocco"),
    "moroccans": _("Moroccans returning home"),
    "resettlement": _("Resettlement of refugees"),
}


def reconciliation_label(report: indicators.Report, indicator: indicators.Indicator | None,
                         figure: PublishedFigure) -> str:
    """What a published figure counts, in words: the indicator's label, after the title of its breakdown
    for a country ("Returns from Morocco by country of return: Senegal"), "(%)" for a percentage."""
    if indicator is None:
        return figure.key
    label = str(indicator.label)
    breakdown = report.breakdowns.get(figure.base_key.rpartition(".")[0])
    if breakdown is not None:
        label = gettext("%(breakdown)s: %(country)s") % {"breakdown": breakdown.title, "country": label}
    return f"{label} (%)" if figure.is_share else label


def reconciliation_sections(report: indicators.Report) -> list[tuple[str, list[ReconciliationRow]]]:
    """The published figures of the report with what the records give, by section, in the report's order."""
    sections: dict[str, list[ReconciliationRow]] = {}
    for indicator, comparison in report.comparisons():
        prefix = comparison.figure.key.partition(".")[0]
        title = str(REPORT_SECTIONS.get(prefix, _("Other figures")))
        sections.setdefault(title, []).append(
            ReconciliationRow(reconciliation_label(report, indicator, comparison.figure), indicator, comparison))
    return list(sections.items())


class ReconciliationView(ReportPageMixin, TemplateView):
    template_name = "oimsite/reconciliation.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if context["report"] is not None:
            context["sections"] = reconciliation_sections(context["report"])
            # Where the published text rounded a share otherwise than half up, and how the summary writes it.
            context["summary_rounding_notes"] = summary_text.rounding_notes(context["report"])
            context["summary_rounding_rule"] = summary_text.share_rule()
        return context


class SummaryView(ReportPageMixin, TemplateView):
    """`/summary/?year=2024`: the year's summary as prose, each number a link to the records it counts."""

    template_name = "oimsite/summary.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report = context["report"]
        if report is not None:
            summary = summary_text.build(report, summary_text.previous_report(report.year, context["years"]))
            context.update(summary=summary, summary_html=summary.as_html(), summary_plain=summary.as_text(),
                           rules=summary_text.rules())
        return context


class SummaryPrintView(SummaryView):
    """The summary alone on an A4 page, without the site's navigation."""

    template_name = "oimsite/summary_print.html"


FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class SharedReportView(PermissionRequiredMixin, View):
    """`/report/shared.csv?year=2024`: aggregate counts for partners, small cells suppressed."""

    permission_required = "accounts.export_aggregate"

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in FORMATS:
            return HttpResponseBadRequest(
                _("Unknown export format “%(format)s”: choose csv or xlsx.") % {"format": fmt[:20]},
                content_type="text/plain; charset=utf-8",
            )
        year = params.year(request.GET.get("year"))
        if year is None:
            return HttpResponseBadRequest(
                _("Give a year between %(first)s and %(last)s, for example ?year=%(last)s.")
                % {"first": params.YEAR_MIN, "last": params.year_max()},
                content_type="text/plain; charset=utf-8",
            )
        lines = shared_report_lines(year)
        filename = f"oim-maroc-aggregate-{year}.{fmt}"
        if fmt == "csv":
            response = HttpResponse(as_csv(lines), content_type=FORMATS[fmt])
        else:
            response = HttpResponse(as_xlsx(lines, sheet_title=str(year)), content_type=FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        export_done.send(
            sender=type(self), request=request, model=None, what="aggregate_report", export_format=fmt,
            filters={"year": year}, row_count=len(lines),
        )
        return response

