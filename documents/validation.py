"""What an uploaded document must be: a PDF, JPEG or PNG by its content, of a bounded size, with a plain name.

The type is read from the file's first bytes (its signature), never from its name or from the type the
browser declared: an executable renamed `.pdf` is refused.
"""

from __future__ import annotations

import unicodedata
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# Signature → (content type, the extension the stored file gets).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
CONTENT_TYPES = {content_type: extension for _signature, content_type, extension in SIGNATURES}
# A PDF may start after a few bytes of garbage (the format allows 1,024); nothing else may.
PDF_SEARCH_BYTES = 1024
MAX_NAME_LENGTH = 200


def max_upload_bytes() -> int:
    return settings.OIM_DOCUMENT_MAX_BYTES


def detect_content_type(head: bytes) -> str | None:
    """The content type of a file from its first bytes, or None if it is none of the allowed ones."""
    for signature, content_type, _extension in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if b"%PDF-" in head[:PDF_SEARCH_BYTES]:
        return "application/pdf"
    return None


def sniff(file: IO[bytes]) -> str:
    """The allowed content type of `file` (read from its start, then rewound), or a ValidationError."""
    file.seek(0)
    head = file.read(PDF_SEARCH_BYTES)
    file.seek(0)
    content_type = detect_content_type(head)
    if content_type is None:
        raise ValidationError(
            _("This file is not a PDF, JPEG or PNG document (its content was checked, not its name)."),
            code="file_type",
        )
    return content_type


def validate_size(size: int) -> None:
    if size > max_upload_bytes():
        raise ValidationError(
            _("This file is %(size)s: documents are limited to %(limit)s."),
            code="file_size",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_upload_bytes())},
        )
    if size == 0:
        raise ValidationError(_("This file is empty."), code="file_empty")


# What makes a posted file name a path: a separator of either system, a parent directory, a NUL byte.
PATH_MARKERS = ("/", "\\", "..", "\x00")


def shown_name(name: str, limit: int = 80) -> str:
    """A refused name as it can be shown in a message: invisible characters made visible, long names cut."""
    shown = "".join(c if c.isprintable() else "\ufffd" for c in name)
    return shown if len(shown) <= limit else shown[:limit - 1] + "…"


def validate_original_name(name: str, field: str | None = None) -> None:
    """A file name, not a path: no directory separators, no parent directory, no control characters.

    `field` names the form field in the message. The stored file gets a generated name whatever this one is;
    this one is kept to name the download, and a path in it is refused rather than silently cut."""
    if not name or not name.strip():
        raise ValidationError(_("The file has no name."), code="file_name")
    if any(marker in name for marker in PATH_MARKERS):
        raise ValidationError(
            _("%(field)s: the file name “%(name)s” contains a folder or path (/, \\ or ..) or a NUL character. "
              "Rename the file and upload it again; nothing was saved."),
            code="file_name", params={"field": field or capfirst(_("file")), "name": shown_name(name)})
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise ValidationError(_("The file name contains invisible or control characters: rename the file."),
                              code="file_name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(_("The file name is longer than %(limit)s characters: rename the file."),
                              code="file_name", params={"limit": MAX_NAME_LENGTH})
