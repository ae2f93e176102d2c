"""What every case list shares: login and permission, filters, sorting, pagination and safe exports.

The four lists (returnees, sessions, files, refugees) are `CaseListView` subclasses that only name their
model, table, FilterSet and permissions. Bad parameters (an unknown sort column, a page past the end, an
unknown export format) are answered with a 404 that says what was wrong; bad filter values with the
filter form's errors and a 400.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import django_filters
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin, Table
from django_tables2.export import ExportMixin, TableExport
from django_tables2.rows import BoundRow
from tablib import Dataset

from oimsite.core.params import YEAR_MIN, whole_number, year_max
from oimsite.lists.exports import export_done, neutralise
from oimsite.lists.pagination import COUNT_CAP, SEARCH_COUNT_CAP, BeyondCapError, CappedPaginator
from oimsite.lists.search import search
from oimsite.lists.templatetags.figures import figure

MAX_PER_PAGE = 500
# XLSX is built in memory (openpyxl): refused above this many rows, CSV streams any size.
XLSX_MAX_ROWS = COUNT_CAP
# Rows fetched per database round trip while streaming, and bytes buffered per chunk sent.
EXPORT_CHUNK_ROWS = 2000
EXPORT_CHUNK_BYTES = 64 * 1024


class SafeTableExport(TableExport):
    """django-tables2's export, with every text cell neutralised against formula injection."""

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None) -> Dataset:
        kwargs = {"title": str(table._meta.model._meta.verbose_name_plural)[:31]}
        kwargs.update(dataset_kwargs or {})
        dataset = Dataset(**kwargs)
        for i, row in enumerate(table.as_values(exclude_columns=exclude_columns)):
            cells = [neutralise(cell) for cell in row]
            if i == 0:
                dataset.headers = cells
            else:
                dataset.append(cells)
        return dataset


def stream_csv(table: Table, exclude_columns: Iterable[str] = (),
               on_done: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The table's CSV export, produced chunk by chunk: the same cells as `SafeTableExport` (as_values()
    semantics, formula neutralisation, tablib's csv dialect), without holding the rows in memory.

    The table's data is read with `.iterator()` (a server-side cursor on PostgreSQL). `on_done` gets the
    number of data rows once the last one has been written.
    """
    excluded = set(exclude_columns)
    columns = [column for column in table.columns.iterall()
               if not (column.column.exclude_from_export or column.name in excluded)]
    data = table.data.data
    records = data.iterator(chunk_size=EXPORT_CHUNK_ROWS) if isinstance(data, QuerySet) else iter(data)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(force_str(column.header, strings_only=True)) for column in columns])
    rows = 0
    for record in records:
        row = BoundRow(record, table=table)
        writer.writerow([neutralise(force_str(row.get_cell_value(column.name), strings_only=True))
                         for column in columns])
        rows += 1
        if buffer.tell() >= EXPORT_CHUNK_BYTES:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
    if on_done is not None:
        on_done(rows)


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
    """`true` or `false`, as the drill-down links write it; any other value is a form error, not ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", [("true", gettext_lazy("Yes")), ("false", gettext_lazy("No"))])
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
        return super().dispatch(request, *args, **kwargs)

    def get_export_filename(self, export_format: str) -> str:
        return f"{self.model._meta.model_name}s.{export_format}"

    def can_export(self) -> bool:
        return self.request.user.has_perm(self.export_permission)

    def get_table(self, **kwargs: Any):
        self._check_table_parameters()
        try:
            return super().get_table(**kwargs)
        except BeyondCapError as error:
            raise Http404(
                _("Only the first %(max)s records of a list can be paged through: narrow it with the filters.")
                % {"max": figure(error.cap)}
            ) from None
        except PageNotAnInteger:
            raise Http404(_("The page number must be a whole number.")) from None
        except EmptyPage:
            raise Http404(_("This page does not exist: the list has fewer pages.")) from None

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

    def _check_table_parameters(self) -> None:
        table_class = self.get_table_class()
        sort = self.request.GET.get("sort")
        if sort is not None:
            # Column.orderable is None when left to the table default (sortable).
            orderable = {name for name, column in table_class.base_columns.items() if column.orderable is not False}
            for name in sort.split(","):
                if name.lstrip("-") not in orderable:
                    raise Http404(_("This list cannot be sorted by “%(column)s”.") % {"column": name})
        for param, maximum in (("page", None), ("per_page", MAX_PER_PAGE)):
            value = self.request.GET.get(param)
            if value is None:
                continue
            number = whole_number(value)
            if number is None or number < 1 or (maximum and number > maximum):
                if param == "page":
                    raise Http404(_("The page number must be a whole number from 1."))
                raise Http404(_("The number of rows per page must be between 1 and %(max)s.") % {"max": maximum})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        table = context["table"]
        context.update(
            title=self.title,
            result_count=min(table.paginator.count, table.paginator.cap),
            result_count_capped=table.paginator.count > table.paginator.cap,
            can_export=self.can_export(),
            export_links=[
                (fmt.upper(), "?" + self._query_without("page", extra={self.export_trigger_param: fmt}))
                for fmt in self.export_formats
            ],
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
            if not form_invalid:
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
        if form_invalid:
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
        filters = self._query_without(self.export_trigger_param)
        if export_format == "csv":
            return self._stream_csv(table, filters)
        exporter = self.export_class(
            export_format=export_format,
            table=table,
            exclude_columns=self.exclude_columns,
            dataset_kwargs=self.get_dataset_kwargs(),
        )
        response = exporter.response(filename=self.get_export_filename(export_format))
        export_done.send(
            sender=type(self), request=self.request, model=self.model, export_format=export_format,
            filters=filters, row_count=exporter.dataset.height,
        )
        return response

    def _stream_csv(self, table: Table, filters: str) -> StreamingHttpResponse:
        def done(row_count: int) -> None:
            # Sent once the last row is written: the audit records the real number of rows exported.
            export_done.send(sender=type(self), request=self.request, model=self.model, export_format="csv",
                             filters=filters, row_count=row_count)

        response = StreamingHttpResponse(stream_csv(table, self.exclude_columns, done),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.get_export_filename("csv")}"'
        return response
