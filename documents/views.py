from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import AuditEvent, AuditEventKind

from .models import Document


class DocumentDownloadView(LoginRequiredMixin, View):
    """The document's file, as an attachment, for those who may view its record; every download is logged."""

    model = Document
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> FileResponse:
        document = get_object_or_404(
            Document.objects.select_related("returnee", "resettlement_file", "refugee"), pk=pk)
        if not document.can_be_viewed_by(request.user):
            raise PermissionDenied(_("You may not view the record this document belongs to."))
        try:
            handle = document.file.open("rb")
        except OSError as exc:  # the store lost the file, or cannot be reached
            raise Http404(_("The file of this document is missing from the document store.")) from exc
        parent = document.parent
        AuditEvent.objects.record(
            AuditEventKind.DOWNLOAD, request=request, what="documents.document", document=document.pk,
            record=f"{parent._meta.label_lower}:{parent.pk}", document_kind=document.kind,
            file_name=document.original_name,
        )
        response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                                content_type=document.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        return response
