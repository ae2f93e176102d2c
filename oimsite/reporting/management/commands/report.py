"""`manage.py report --year 2024 [--format table|json|csv|text] [--language fr|en]`: the annual report's
indicators, or with `--format text` the year's summary as prose."""

from __future__ import annotations

import csv
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from oimsite.core import params
from oimsite.reporting import indicators, summary_text


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
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
            return
        rows = []
        for key, ind in report.indicators.items():
            published = ind.comparisons[-1] if ind.comparisons else None
            rows.append([
                key, str(ind.label), ind.value, "" if ind.denominator is None else ind.denominator,
                "" if ind.share is None else f"{ind.share}",
                published.figure.display_value if published else "",
                "" if published is None or published.difference is None else f"{published.difference.normalize():f}",
                str(published.status_label) if published else "",
            ])
        header = ["key", "label", "value", "denominator", "percent", "published", "difference", "status"]
        if fmt == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(header)
            writer.writerows(rows)
            return
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        numeric = {2, 3, 4, 6}
        for row in [header, *rows]:
            cells = [
                str(c).rjust(w) if i in numeric else str(c).ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells).rstrip())
