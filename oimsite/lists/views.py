"""What every case list shares: login and permission, filters, sorting, pagination and safe exports.

The four lists (returnees, sessions, files, refugees) are `CaseListView` subclasses that only name their
model, table, FilterSet and permissions. A bad parameter is said on the list page, with a 400: bad filter
values as the filter form's errors, an unknown sort column or a page number that is not one above the table
(the list then shows its default order, its first page). A page past the end shows the last page, and says
so. Only an unknown export format is a 404.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO, Any

import django_filters
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from django_filters.conf import settings as filter_settings
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin, Table
from django_tables2.columns import BoundColumn
from django_tables2.export import ExportMixin, TableExport
from tablib import Dataset

from oimsite.core.params import YEAR_MIN, whole_number, year_max
from oimsite.lists.exports import (
    copy_csv,
    copy_csv_select,
    csv_cell,
    database_rows,
    export_columns,
    export_done,
    header_cells,
    row_cells,
    table_rows,
    write_xlsx,
    xlsx_bytes,
)
from oimsite.lists.pagination import COUNT_CAP, SEARCH_COUNT_CAP, BeyondCapError, CappedPaginator
from oimsite.lists.search import search
from oimsite.lists.templatetags.figures import figure

MAX_PER_PAGE = 500
# A workbook is written whole before its first byte is sent (a zip's directory comes last): an XLSX export is
# refused above this many rows, where a list's count stops being exact; CSV streams any size.
XLSX_MAX_ROWS = COUNT_CAP
# Rows fetched per database round trip while streaming, and bytes buffered per chunk sent.
EXPORT_CHUNK_ROWS = 2000
EXPORT_CHUNK_BYTES = 64 * 1024
# A workbook up to this size stays in memory until sent; a larger one goes to an unnamed file on disk.
XLSX_SPOOL_BYTES = 1024 * 1024
XLSX_CONTENT_TYPE = TableExport.FORMATS[TableExport.XLSX]
# `?_export=csv&_columns=all`: every field of the records (the full table), not only the columns shown.
COLUMNS_PARAM = "_columns"
COLUMN_CHOICES = ("shown", "all")


class SafeTableExport(TableExport):
    """django-tables2's export with our cells (oimsite/lists/exports.py): text neutralised against formula
    injection, dates kept as dates so that the spreadsheet gets real dates and the CSV ISO text.

    It holds the rows and the file in memory: the lists' exports stream instead (`stream_csv`, `xlsx_file`),
    with the same cells, which tests compare with this one's."""

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None) -> Dataset:
        kwargs = {"title": str(table._meta.model._meta.verbose_name_plural)[:31]}
        kwargs.update(dataset_kwargs or {})
        dataset = Dataset(**kwargs)
        columns = export_columns(table, exclude_columns or ())
        dataset.headers = header_cells(columns)
        for row in table.rows:
            dataset.append(row_cells(row, columns))
        return dataset

    def export(self) -> bytes | str:
        if self.format == self.XLSX:
            return xlsx_bytes(self.dataset.title, self.dataset.headers, list(self.dataset))
        if self.format == self.CSV:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(self.dataset.headers)
            writer.writerows([csv_cell(cell) for cell in row] for row in self.dataset)
            return buffer.getvalue()
        return super().export()


def export_rows(table: Table, columns: list[BoundColumn], csv_text: bool = False) -> Iterator[list[Any]]:
    """The export's cells (`row_cells`), row by row, without holding the rows in memory: read with values_list()
    where the table's columns allow it (`database_rows`), else through django-tables2's rows, with `.iterator()`
    either way (a server-side cursor on PostgreSQL). With `csv_text`, dates come as `csv_cell` writes them."""
    cells_of_rows = database_rows(table, columns, csv_text=csv_text)
    if cells_of_rows is not None:
        return cells_of_rows
    data = table.data.data
    records = data.iterator(chunk_size=EXPORT_CHUNK_ROWS) if isinstance(data, QuerySet) else iter(data)
    rows = table_rows(table, columns, records)
    if csv_text:
        return ([csv_cell(cell) for cell in cells] for cells in rows)
    return rows


def stream_csv(table: Table, exclude_columns: Iterable[str] = (),
               on_done: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The table's CSV export, produced chunk by chunk: the same cells as `SafeTableExport`, without holding
    the rows in memory.

    On PostgreSQL the database writes the rows itself where the columns allow it (`copy_csv_select`); else
    `export_rows` reads them. `on_done` gets the number of data rows once the last one has been written.
    """
    columns = export_columns(table, exclude_columns)
    select = copy_csv_select(table, columns)
    if select is not None:
        # PostgreSQL writes the rows (its line ends are "\n", the header's too).
        header = io.StringIO()
        csv.writer(header, lineterminator="\n").writerow(header_cells(columns))
        yield header.getvalue().encode("utf-8")
        yield from copy_csv(table.data.data.db, select, EXPORT_CHUNK_BYTES, on_done)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header_cells(columns))
    rows = 0
    for cells in export_rows(table, columns, csv_text=True):
        writer.writerow(cells)
        rows += 1
        if buffer.tell() >= EXPORT_CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
    if on_done is not None:
        on_done(rows)


def xlsx_file(table: Table, exclude_columns: Iterable[str] = (), title: str = "") -> tuple[IO[bytes], int]:
    """The table's XLSX export (the same cells as `SafeTableExport`'s) written row by row to a temporary file,
    and its number of data rows. The file is in memory while small, else on disk without a name (readable by
    this user only), gone once closed; it is returned at its start."""
    columns = export_columns(table, exclude_columns)
    # Not a `with`: the response closes the file once sent.
    target = tempfile.SpooledTemporaryFile(max_size=XLSX_SPOOL_BYTES)  # noqa: SIM115
    try:
        row_count = write_xlsx(target, title, header_cells(columns), export_rows(table, columns))
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return target, row_count


class YearFilter(django_filters.Filter):
    """A calendar year (whole number within bounds): letters or 20244 give a form error, not a 500."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", year_max)
        super().__init__(*args, **kwargs)


class SearchFilter(django_filters.CharFilter):
    """Free text: every word found inside one of `fields`, accents and case aside; blank searches nothing."""

    def __init__(self, *args: Any, fields: tuple[str, ...], **kwargs: Any) -> None:
        self.search_fields = fields
        kwargs.setdefault("label", gettext_lazy("Search"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: Any, value: str) -> Any:
        value = (value or "").strip()
        if not value:
            return qs
        return search(qs, self.search_fields, value)  # each word, inside any of the fields


class YesNoFilter(django_filters.TypedChoiceFilter):
    """`true` or `false`, as the drill-down links write it; any other value is a form error, not ignored.

    Empty (the first choice, selected by default, as on every other select) filters nothing: without it the
    form's select would send `true` whenever the form is submitted.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", [("", filter_settings.EMPTY_CHOICE_LABEL), ("true", gettext_lazy("Yes")),
                                      ("false", gettext_lazy("No"))])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


class RangeCheckedForm(forms.Form):
    """The filter form of every list: a range `X_after` … `X_before` must not end before it starts."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in list(cleaned):
            if not name.endswith("_after"):
                continue
            end_name = name.removesuffix("_after") + "_before"
            start, end = cleaned.get(name), cleaned.get(end_name)
            if start and end and end < start:
                self.add_error(end_name, _("The end of the range is before its start."))
        return cleaned


class CountryFilter(django_filters.ChoiceFilter):
    """An ISO country code among the known countries (an unknown code is a form error)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", lambda: list(countries))
        super().__init__(*args, **kwargs)


class CaseListView(LoginRequiredMixin, PermissionRequiredMixin, ExportMixin, SingleTableMixin, FilterView):
    template_name = "oimsite/case_list.html"
    export_class = SafeTableExport
    export_formats = ("csv", "xlsx")
    export_permission: str = ""
    # The full export's table: the list's columns and every other field an exporter may see.
    full_export_table_class: type[Table] | None = None
    # Pagination is the table's alone: ListView's own paginate_by would COUNT and slice a second time.
    # The list shows the filtered count, so one (capped) COUNT is needed; the paginator caches it and the
    # page links reuse it (no second COUNT, no COUNT of the unfiltered table).
    paginate_by = None
    # CappedPaginator: the count is exact up to COUNT_CAP rows (SEARCH_COUNT_CAP for a search; "more than"
    # beyond) and costs the same at any table size; pages go as deep as the count.
    table_pagination = {"per_page": 50, "silent": False, "paginator_class": CappedPaginator}
    title = gettext_lazy("Records")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.export_format = request.GET.get(self.export_trigger_param)
        self.export_all_columns = self.export_format is not None and request.GET.get(COLUMNS_PARAM) == "all"
        return super().dispatch(request, *args, **kwargs)

    def get_table_class(self) -> type[Table]:
        if self.export_all_columns and self.full_export_table_class is not None:
            return self.full_export_table_class
        return super().get_table_class()

    def get_table_data(self) -> Any:
        data = super().get_table_data()
        return self.prepare_full_export(data) if self.export_all_columns else data

    def prepare_full_export(self, queryset: QuerySet) -> QuerySet:
        """The filtered records with what the full table reads besides their fields (annotate, prefetch):
        the full export's queries must not grow with its rows."""
        return queryset

    def get_export_filename(self, export_format: str) -> str:
        return f"{self.model._meta.model_name}s.{export_format}"

    def can_export(self) -> bool:
        return self.request.user.has_perm(self.export_permission)

    def get_table(self, **kwargs: Any) -> Table:
        """django-tables2's table, sorted and paginated as `RequestConfig.configure()` does, with the URL's
        sort and page parameters checked first: a bad one is said on the page (`parameter_errors`, a 400) and
        left out, and a page past the end shows the last page (`page_notice`)."""
        self.parameter_errors: list[str] = []
        self.page_notice = ""
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        table.request = self.request
        sort = self._sort(table)
        if sort:
            table.order_by = sort
        pagination = self.get_table_pagination(table)
        if pagination:
            options = {key: value for key, value in dict(pagination).items() if key != "silent"}
            options["per_page"] = self._whole_parameter(
                table.prefixed_per_page_field, options.get("per_page"), MAX_PER_PAGE,
                _("The number of rows per page must be between 1 and %(max)s.") % {"max": MAX_PER_PAGE})
            page = self._whole_parameter(table.prefixed_page_field, 1, None,
                                         _("The page number must be a whole number from 1."))
            try:
                table.paginate(page=page, **options)
            except EmptyPage as error:  # past the end, or past the records a long list can page through
                last = table.paginator.num_pages
                if isinstance(error, BeyondCapError):
                    self.page_notice = _(
                        "Only the first %(max)s records of a list can be paged through: narrow it with the "
                        "filters. Here is the last of their pages, %(last)s."
                    ) % {"max": figure(error.cap), "last": figure(last)}
                else:
                    self.page_notice = _("There is no page %(page)s: here is the last page, %(last)s.") % {
                        "page": figure(page), "last": figure(last)}
                table.page = table.paginator.page(last)
        return table

    def _sort(self, table: Table) -> list[str]:
        """The URL's sort, if the list can be sorted that way; else a parameter error and no sort (the table's
        default order)."""
        sort = [name for value in self.request.GET.getlist(table.prefixed_order_by_field)
                for name in value.split(",")]
        orderable = {column.name for column in table.columns.iterorderable()}
        for name in sort:
            if name.lstrip("-") not in orderable:
                self.parameter_errors.append(_("This list cannot be sorted by “%(column)s”.") % {"column": name})
                return []
        return sort

    def _whole_parameter(self, name: str, default: Any, maximum: int | None, message: str) -> Any:
        """The URL's whole number `name` (from 1 to `maximum`), or `default` and a parameter error."""
        value = self.request.GET.get(name)
        if value is None:
            return default
        number = whole_number(value)
        if number is None or number < 1 or (maximum is not None and number > maximum):
            self.parameter_errors.append(message)
            return default
        return number

    def get_table_pagination(self, table: Table) -> dict[str, Any] | bool:
        pagination = super().get_table_pagination(table)
        if not isinstance(pagination, dict):
            return pagination
        # The paginator counts the filtered queryset (up to its cap), not the table's rows (a full COUNT).
        pagination = {**pagination, "queryset": self.get_table_data()}
        # A search is counted to SEARCH_COUNT_CAP; an export counts to COUNT_CAP, its XLSX limit.
        if self.export_format is None and self._searched():
            pagination["cap"] = SEARCH_COUNT_CAP
        return pagination

    def _searched(self) -> bool:
        """Whether the list is narrowed by a valid, non-blank search (a SearchFilter)."""
        filterset = getattr(self, "filterset", None)
        if filterset is None or not filterset.is_bound or not filterset.is_valid():
            return False
        return any(isinstance(field, SearchFilter) and (filterset.form.cleaned_data.get(name) or "").strip()
                   for name, field in filterset.filters.items())

    def _active_filters(self) -> list[tuple[str, str]]:
        """The filters the URL sets (label, value as shown in the form), in the form's order."""
        filterset = getattr(self, "filterset", None)
        if filterset is None:
            return []
        form = filterset.form
        cleaned = form.cleaned_data if filterset.is_bound and form.is_valid() else {}
        active = []
        for name, field in form.fields.items():
            raw = (self.request.GET.get(name) or "").strip()
            if not raw:
                continue
            value = cleaned.get(name, raw)
            if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                value = dict((str(key), label) for key, label in field.choices).get(raw, raw)
            elif isinstance(value, date):
                value = formats.date_format(value, "SHORT_DATE_FORMAT")
            active.append((str(field.label), str(value)))
        return active

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        table = context["table"]
        filterset = context.get("filter")
        active_filters = self._active_filters()
        filters_invalid = bool(filterset is not None and filterset.is_bound and not filterset.is_valid())
        context.update(
            title=self.title,
            result_count=min(table.paginator.count, table.paginator.cap),
            result_count_capped=table.paginator.count > table.paginator.cap,
            can_export=self.can_export(),
            export_links=[
                (fmt.upper(), "?" + self._query_without("page", COLUMNS_PARAM, extra={self.export_trigger_param: fmt}))
                for fmt in self.export_formats
            ],
            full_export_links=[
                (fmt.upper(), "?" + self._query_without(
                    "page", extra={self.export_trigger_param: fmt, COLUMNS_PARAM: "all"}))
                for fmt in self.export_formats
            ] if self.full_export_table_class is not None else [],
            active_filters=active_filters,
            filters_invalid=filters_invalid,
            # The filters fold away unless one is set (or wrong): the count and the records come first.
            filters_open=bool(active_filters) or filters_invalid,
            parameter_errors=self.parameter_errors,
            page_notice=self.page_notice,
        )
        return context

    def _query_without(self, *params: str, extra: dict[str, str] | None = None) -> str:
        query = self.request.GET.copy()
        for param in (*params, *(extra or {})):
            query.pop(param, None)
        for key, value in (extra or {}).items():
            query[key] = value
        return query.urlencode()

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        filterset = context.get("filter")
        form_invalid = filterset is not None and filterset.is_bound and not filterset.is_valid()
        if self.export_format is not None:
            if self.export_format not in self.export_formats:
                raise Http404(
                    _("Unknown export format “%(format)s”: choose one of %(formats)s.")
                    % {"format": self.export_format, "formats": ", ".join(self.export_formats)}
                )
            if not self.can_export():
                raise PermissionDenied(_("You are not allowed to export these records."))
            if not form_invalid and not self.parameter_errors:
                table = context["table"]
                if self.export_format == "xlsx" and table.paginator.count > XLSX_MAX_ROWS:
                    context["export_error"] = _(
                        "An XLSX export is limited to %(max)s rows and this list has more: export it as CSV, "
                        "or narrow it with the filters."
                    ) % {"max": figure(XLSX_MAX_ROWS)}
                    kwargs["status"] = 400
                else:
                    self.page_table = table
                    return super().render_to_response(context, **kwargs)  # ExportMixin: create_export()
        if form_invalid or self.parameter_errors:
            kwargs.setdefault("status", 400)
        if self.export_format is not None:
            # ExportMixin exports whenever its parameter names a format: a refused export shows the page.
            return TemplateResponse(self.request, self.get_template_names(), context, **kwargs)
        return super().render_to_response(context, **kwargs)

    def create_export(self, export_format: str) -> HttpResponse:
        """ExportMixin's hook: the export of the page's table (checked above by render_to_response)."""
        return self._export(export_format, self.page_table)

    def _export(self, export_format: str, table: Table) -> HttpResponse:
        # The context's table: exports iterate all its rows, not the page; its filtered COUNT is reused.
        columns = self.request.GET.get(COLUMNS_PARAM, "shown")
        if columns not in COLUMN_CHOICES:
            raise Http404(
                _("Unknown choice of columns “%(columns)s”: choose “shown” or “all”.") % {"columns": columns[:20]}
            )
        filters = self._query_without(self.export_trigger_param, COLUMNS_PARAM)
        if export_format == "csv":
            return self._stream_csv(table, filters, columns)
        return self._xlsx(table, filters, columns)

    def _xlsx(self, table: Table, filters: str, columns: str) -> FileResponse:
        # The sheet's name: the records' (or ExportMixin's dataset_kwargs' title).
        title = (self.get_dataset_kwargs() or {}).get("title") or str(table._meta.model._meta.verbose_name_plural)
        file, row_count = xlsx_file(table, self.exclude_columns, title)
        # Sent in blocks; the file is closed (and gone) once sent or when the client goes away.
        response = FileResponse(file, as_attachment=True, filename=self.get_export_filename("xlsx"),
                                content_type=XLSX_CONTENT_TYPE)
        response.block_size = EXPORT_CHUNK_BYTES
        export_done.send(sender=type(self), request=self.request, model=self.model, export_format="xlsx",
                         filters=filters, row_count=row_count, columns=columns)
        return response

    def _stream_csv(self, table: Table, filters: str, columns: str) -> StreamingHttpResponse:
        def done(row_count: int) -> None:
            # Sent once the last row is written: the audit records the real number of rows exported.
            export_done.send(sender=type(self), request=self.request, model=self.model, export_format="csv",
                             filters=filters, row_count=row_count, columns=columns)

        response = StreamingHttpResponse(stream_csv(table, self.exclude_columns, done),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.get_export_filename("csv")}"'
        return response
