from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from oimsite import params
from oimsite.exports import export_done

from .report import as_csv, as_xlsx, shared_report_lines

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def lockout(request: HttpRequest, original_response: HttpResponse | None = None,
            credentials: dict | None = None) -> HttpResponse:
    """django-axes' lockout page (HTTP 429): what happened and when to try again."""
    cool_off = settings.AXES_COOLOFF_TIME
    # Each attempt during the lockout restarts the cool-off, so "now + cool-off" is the honest answer.
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cool_off.total_seconds() // 60),
        "retry_at": timezone.localtime(timezone.now() + cool_off),
    }
    return render(request, "accounts/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


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

