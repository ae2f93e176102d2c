"""The upload handler of the document upload pages: it refuses a file while it arrives, before anything is written.

- Past the size limit: Django's own handlers would first write a 200 MB file to a temporary file, and the form
  would then refuse it. This handler, first of FILE_UPLOAD_HANDLERS, counts the bytes and, past the limit, skips
  the rest of the file (read from the connection and thrown away, never written anywhere).
- A path in the posted name (`../x.pdf`, `C:\\scans\\x.pdf`, a NUL byte): Django's parser silently keeps only
  the last part of the name, so the form would never know. On these pages the request is parsed by
  `PostedNameParser` (through the handler's `handle_raw_input` hook), which sees the name as posted; such a
  file is skipped the same way, and the form says why.

`refused_uploads` on the request names the field of each file refused here, and the form reports it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParser

from .validation import max_upload_bytes, validate_original_name

# The pages where documents are uploaded (URL names).
UPLOAD_VIEWS = frozenset({"admin:documents_document_add", "admin:documents_document_change"})

TOO_LARGE = "size"
PATH_IN_NAME = "name"


@dataclass(frozen=True)
class RefusedUpload:
    file_name: str  # as posted
    reason: str  # TOO_LARGE or PATH_IN_NAME


def refused_uploads(request: Any) -> dict[str, RefusedUpload]:
    """Field name → the file refused in that field while the request was read."""
    return getattr(request, "_documents_refused_uploads", {})


def _refuse(request: Any, field_name: str, refusal: RefusedUpload) -> None:
    refused = getattr(request, "_documents_refused_uploads", {})
    refused[field_name] = refusal
    request._documents_refused_uploads = refused


class PostedNameParser(MultiPartParser):
    """Django's multipart parser, which notes a posted file name that is a path before its own sanitizing
    cuts it (`sanitize_file_name` is called with the name as posted, just before the handlers' `new_file`)."""

    def __init__(self, request: Any, *args: Any) -> None:
        super().__init__(*args)
        self.request = request

    def sanitize_file_name(self, file_name: str) -> str | None:
        self.request._documents_posted_path = None
        # Django decodes HTML entities before cutting the path; so does this check.
        posted = html.unescape(file_name)
        try:
            validate_original_name(posted)
        except ValidationError:
            self.request._documents_posted_path = posted
            # A name to go on with, so that the handler's new_file is called for this file and skips it.
            return super().sanitize_file_name(file_name) or "refused"
        return super().sanitize_file_name(file_name)


class DocumentSizeLimitHandler(FileUploadHandler):
    def _applies(self) -> bool:
        match = getattr(self.request, "resolver_match", None)
        return match is not None and match.view_name in UPLOAD_VIEWS

    def handle_raw_input(self, input_data: Any, META: dict[str, Any], content_length: int, boundary: bytes,
                         encoding: str | None = None) -> tuple[Any, Any] | None:
        # Django's documented hook to take over the parsing; the parser calls it again, hence the flag.
        if not self._applies() or getattr(self.request, "_documents_parsing", False):
            return None
        self.request._documents_parsing = True
        parser = PostedNameParser(self.request, META, input_data, self.request.upload_handlers, encoding)
        return parser.parse()

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0
        posted_path = getattr(self.request, "_documents_posted_path", None)
        if posted_path is not None and self._applies():
            self.request._documents_posted_path = None
            _refuse(self.request, field_name, RefusedUpload(posted_path, PATH_IN_NAME))
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > max_upload_bytes() and self._applies():
            _refuse(self.request, self.field_name, RefusedUpload(self.file_name, TOO_LARGE))
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
