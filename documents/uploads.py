"""An upload handler that drops a document's file as soon as it passes the size limit.

Django's own handlers would first write a 200 MB file to a temporary file, and the form would then refuse it.
This one, first of FILE_UPLOAD_HANDLERS, counts the bytes of a file sent to a document upload page and, past
the limit, skips the rest of it (read from the connection and thrown away, never written anywhere): the form
then says the file is too large (`refused_uploads` on the request names the field).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from .validation import max_upload_bytes

# The pages where documents are uploaded (URL names).
UPLOAD_VIEWS = frozenset({"admin:documents_document_add", "admin:documents_document_change"})


def refused_uploads(request: Any) -> dict[str, str]:
    """Field name → file name of the files dropped for their size during this request."""
    return getattr(request, "_documents_refused_uploads", {})


class DocumentSizeLimitHandler(FileUploadHandler):
    def _applies(self) -> bool:
        match = getattr(self.request, "resolver_match", None)
        return match is not None and match.view_name in UPLOAD_VIEWS

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > max_upload_bytes() and self._applies():
            refused = getattr(self.request, "_documents_refused_uploads", {})
            refused[self.field_name] = self.file_name
            self.request._documents_refused_uploads = refused
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
