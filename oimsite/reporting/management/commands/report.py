"""`manage.py report --year 2024 [--compare 2023] [--format table|json|csv|text] [--language fr|en]`: the
annual report's indicators and sustainability figures (with `--compare`, beside another year's, with the change),
or with `--format text` the year's summary as prose."""

from __future__ import annotations

import csv
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from oimsite.core import params
from oimsite.reporting import indicators, summary_text, sustainability
from oimsite.reporting.comparison import change


def parse_year(value: str) -> int:
    """A calendar year the records may cover, or a CommandError saying what is expected."""
    number = params.whole_number(value)
    if number is None:
        raise CommandError(_("The year must be a number such as 2024, not “%(value)s”.") % {"value": value})
    year = params.year(number)
    if year is None:
        raise CommandError(
            _("The year must be between %(first)s and %(last)s, not %(year)s.")
            % {"first": params.YEAR_MIN, "last": params.year_max(), "year": number}
        )
    return year


class Command(BaseCommand):
    help = "Print the annual report's indicators for a year, computed from the records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", required=True, help="Calendar year, e.g. 2024.")
        parser.add_argument("--compare", help="Another year, printed beside --year with the change, e.g. 2023.")
        parser.add_argument("--format", choices=["table", "json", "csv", "text"], default="table",
                            help="text: the year's summary as prose, in --language.")
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES],
                            default=settings.LANGUAGE_CODE, help="Language of the labels and of the text.")

    def handle(self, *args: object, **options: object) -> None:
        with translation.override(str(options["language"])):
            self.write(**options)

    def write(self, **options: object) -> None:
        year = parse_year(str(options["year"]))
        if options["format"] == "text":
            summary = summary_text.for_year(year)
            if not summary.sentences:
                raise CommandError(_("Nothing that the summary states was counted in %(year)s.") % {"year": year})
            self.stdout.write(summary.as_text())
            return
        report = indicators.compute(year)
        figures = {**report.indicators, **sustainability.compute(year).indicators}
        fmt = options["format"]
        if options.get("compare"):
            self.write_comparison(year, figures, parse_year(str(options["compare"])), fmt)
            return
        if fmt == "json":
            data = report.as_dict()
            for key, ind in figures.items():
                if key not in report.indicators:
                    data[key] = ind.value
                    if ind.share is not None:
                        data[f"{key}.percent"] = float(ind.share)
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        rows = []
        for key, ind in figures.items():
            published = ind.comparisons[-1] if ind.comparisons else None
            rows.append([
                key, str(ind.label), ind.value, "" if ind.denominator is None else ind.denominator,
                "" if ind.share is None else f"{ind.share}",
                published.figure.display_value if published else "",
                "" if published is None or published.difference is None else f"{published.difference.normalize():f}",
                str(published.status_label) if published else "",
            ])
        header = ["key", "label", "value", "denominator", "percent", "published", "difference", "status"]
        self.write_rows(fmt, header, rows, numeric={2, 3, 4, 6})

    def write_comparison(self, year: int, figures: dict[str, indicators.Indicator], other: int, fmt: object) -> None:
        """Each figure of `year` beside the same figure of `other` (0 where that year has none), with the change
        from `other` to `year` in numbers and in percent."""
        if fmt == "text":
            raise CommandError(_("--compare prints figures: use it with --format table, csv or json."))
        before = {**indicators.compute(other).indicators, **sustainability.compute(other).indicators}
        keys = list(figures) + [key for key in before if key not in figures]
        rows = []
        for key in keys:
            now, then = figures.get(key), before.get(key)
            difference = change(now.value if now else 0, then.value if then else 0)
            rows.append([key, str((now or then).label), now.value if now else 0, then.value if then else 0,
                         difference.difference, "" if difference.percent is None else f"{difference.percent}"])
        if fmt == "json":
            self.stdout.write(json.dumps({"year": year, "compare": other, "figures": {
                key: {"value": value, "compare": previous, "change": diff,
                      "change_percent": float(pct) if pct != "" else None}
                for key, _label, value, previous, diff, pct in rows}}, indent=2, ensure_ascii=False))
            return
        header = ["key", "label", str(year), str(other), "change", "change %"]
        self.write_rows(fmt, header, rows, numeric={2, 3, 4, 5})

    def write_rows(self, fmt: object, header: list[str], rows: list[list[object]], numeric: set[int]) -> None:
        if fmt == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(header)
            writer.writerows(rows)
            return
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            cells = [
                str(c).rjust(w) if i in numeric else str(c).ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells).rstrip())
