"""Where the documents' files are kept: the `documents` storage of settings.STORAGES.

Local disk by default, in a directory outside the static files and of any URL the site serves
(OIM_DOCUMENTS_DIR); an S3-compatible object store for a deployment on several servers (README, "Documents").
Whatever the backend, a file is only ever read back through the download view, which checks who asks.
"""

from __future__ import annotations

import weakref

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import transaction


class PrivateFileSystemStorage(FileSystemStorage):
    """A directory of files with no URL: the site never links to a document's file directly."""

    def url(self, name: str | None) -> str:
        raise ValueError("Documents are served only through the download view, which checks permissions.")


def documents_storage() -> Storage:
    return storages["documents"]


class _KeepOnCommit:
    """The on_commit callback of a file written inside a transaction. Run at the commit, it keeps the file.
    Django has no on_rollback hook, but a rolled-back transaction (or savepoint) drops its on_commit callbacks
    unrun: this one is then released, and its finalizer deletes the file (also at exit, for one never settled).
    A callback that raises at the commit would drop those after it as well (Django goes on only past a robust
    one): the app registers its own as robust."""

    def __init__(self, storage: Storage, name: str) -> None:
        self._delete = weakref.finalize(self, storage.delete, name)

    def __call__(self) -> None:
        self._delete.detach()


def delete_unless_committed(storage: Storage, name: str, using: str) -> None:
    """Delete the file `name` of `storage` if the current transaction on `using` rolls back, so that a row
    that was never written leaves no file behind."""
    # Not kept in a local: a traceback holding this frame would keep the callback alive after a rollback.
    transaction.on_commit(_KeepOnCommit(storage, name), using=using)
