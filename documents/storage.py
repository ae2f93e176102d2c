"""Where the documents' files are kept: the `documents` storage of settings.STORAGES.

Local disk by default, in a directory outside the static files and of any URL the site serves
(OIM_DOCUMENTS_DIR); an S3-compatible object store for a deployment on several servers (README, "Documents").
Whatever the backend, a file is only ever read back through the download view, which checks who asks.
"""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, Storage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    """A directory of files with no URL: the site never links to a document's file directly."""

    def url(self, name: str | None) -> str:
        raise ValueError("Documents are served only through the download view, which checks permissions.")


def documents_storage() -> Storage:
    return storages["documents"]
