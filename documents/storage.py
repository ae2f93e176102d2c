"""Where the documents' files are kept: the `documents` storage of settings.STORAGES.

Local disk by default, in a directory outside the static files and of any URL the site serves
(OIM_DOCUMENTS_DIR); an S3-compatible object store for a deployment on several servers (README, "Documents").
Whatever the backend, a file is only ever read back through the download view, which checks who asks.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connections, transaction

logger = logging.getLogger(__name__)


class PrivateFileSystemStorage(FileSystemStorage):
    """A directory of files with no URL: the site never links to a document's file directly."""

    def url(self, name: str | None) -> str:
        raise ValueError("Documents are served only through the download view, which checks permissions.")


def documents_storage() -> Storage:
    return storages["documents"]


class _KeepOnCommit:
    """The on_commit callback of a file written inside a transaction. Run at the commit, it keeps the file.

    Django has no on_rollback hook, but a rolled-back transaction (or savepoint) drops its on_commit callbacks
    unrun: this one is then released, and its finalizer deletes the file. Django also drops the callbacks after
    one that raises, once the commit is done: then a row names the file, and it is kept. A file the finalizer
    cannot settle (an error, the process exiting) is kept: an orphan rather than a loss.
    """

    def __init__(self, storage: Storage, name: str, using: str, referenced: Callable[[], bool]) -> None:
        self._release = weakref.finalize(self, _settle, storage, name, using, referenced)
        self._release.atexit = False

    def __call__(self) -> None:
        self._release.detach()


def _settle(storage: Storage, name: str, using: str, referenced: Callable[[], bool]) -> None:
    connection = connections[using]
    try:
        # Released by the outermost rollback itself (autocommit not yet restored): a rollback, and no query
        # may run at this point. Otherwise ask whether a row names the file (a savepoint's rollback, or
        # callbacks dropped after a commit).
        rolling_back = not connection.in_atomic_block and not connection.autocommit
        if not rolling_back and referenced():
            return
        storage.delete(name)
    except Exception:  # a finalizer cannot raise
        logger.exception("Could not settle the stored file %s after its transaction ended.", name)


def delete_unless_committed(storage: Storage, name: str, using: str, referenced: Callable[[], bool]) -> None:
    """Delete the file `name` of `storage` if the current transaction on `using` rolls back (`referenced()`
    says whether a row names it, where that can be asked), so that a row never written leaves no file."""
    # Not kept in a local: a traceback holding this frame would keep the callback alive after a rollback.
    transaction.on_commit(_KeepOnCommit(storage, name, using, referenced), using=using)
