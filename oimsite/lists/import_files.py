"""The uploaded file of an admin import between its dry run and its confirmation: django-import-export's
temporary storage, kept private and short-lived.

The library writes the uploaded file to its temporary storage at the dry run and reads it back at the
confirmation, whose form carries only the file's name. Its default (`TempFolderStorage`) leaves the file (names,
dates of birth) in the system's temporary directory for good when the user never confirms, and opens whatever
path the posted name gives. Here, through the library's hooks (IMPORT_EXPORT_TMP_STORAGE_CLASS, and
`tmp_storage_class` on `CaseImportMixin`):

- the file goes to the `import_export` storage of settings.STORAGES: `PrivateImportFileSystemStorage` in
  OIM_IMPORT_FILES_DIR (default var/imports/), a directory of the server's user only (0700, files 0600) that no
  URL serves. A directory on disk, not memory: every server process on the machine sees the same files;
- the file's name is a random UUID (32 hex digits); a posted name of any other form is never opened or deleted;
- the confirmation removes it once read (the library does); `CaseImportMixin` also removes it when the dry run
  leaves nothing to confirm, when the user cancels, and when the confirmation is refused or fails;
- a file older than IMPORT_FILE_MAX_AGE (an import never confirmed) is removed whenever an import's file is
  saved, and by `manage.py purge_import_files` (run it from cron).
"""

from __future__ import annotations

import re
import stat
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils import timezone
from import_export.tmp_storages import MediaStorage

# How long a dry run's file waits for its confirmation; then the import is taken as abandoned.
IMPORT_FILE_MAX_AGE = timedelta(hours=1)
STORAGE_ALIAS = "import_export"  # the alias the library's MediaStorage looks for in settings.STORAGES
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
_NAME = re.compile(r"[0-9a-f]{32}")


class ImportFileGone(FileNotFoundError):
    """The file a confirmation names is not (or no longer) there, or the name is not one this storage gives."""


class PrivateImportFileSystemStorage(FileSystemStorage):
    """A directory that only the server's user may enter, of files only it may read, served by no URL."""

    def __init__(self, location: str | Path, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", FILE_MODE)
        kwargs.setdefault("directory_permissions_mode", DIRECTORY_MODE)
        super().__init__(location=location, **kwargs)

    def url(self, name: str | None) -> str:
        raise ValueError("An import's file is only read back by the import itself.")

    def _save(self, name: str, content: Any) -> str:
        # Django sets the mode of the directories it creates only; one made earlier by hand is closed here too.
        directory = Path(self.location)
        directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
        if stat.S_IMODE(directory.stat().st_mode) != DIRECTORY_MODE:
            directory.chmod(DIRECTORY_MODE)
        return super()._save(name, content)


def import_file_storage() -> Storage:
    """The storage that holds the imports' files (settings.STORAGES["import_export"])."""
    return storages[STORAGE_ALIAS]


def is_import_file_name(name: Any) -> bool:
    return isinstance(name, str) and _NAME.fullmatch(name) is not None


def purge_import_files(*, now: datetime | None = None, max_age: timedelta = IMPORT_FILE_MAX_AGE,
                       storage: Storage | None = None) -> int:
    """Remove the imports' files last written more than `max_age` before `now`; return how many."""
    storage = storage or import_file_storage()
    now = now or timezone.now()
    try:
        _directories, names = storage.listdir("")
    except FileNotFoundError:  # nothing was ever saved
        return 0
    removed = 0
    for name in names:
        if not is_import_file_name(name):
            continue  # not a file of ours: left alone
        try:
            written = storage.get_modified_time(name)
        except FileNotFoundError:  # confirmed or purged by another process meanwhile
            continue
        if now - written > max_age:
            storage.delete(name)
            removed += 1
    return removed


class ImportFileStorage(MediaStorage):
    """django-import-export's temporary storage for our imports (see the module's docstring)."""

    def _configure_storage(self) -> None:
        # Only the imports' own storage: the library would fall back on the default (media) storage.
        self._storage = import_file_storage()

    def save(self, data: bytes) -> None:
        purge_import_files(storage=self._storage)
        self.name = uuid4().hex
        self._storage.save(self.name, ContentFile(data))

    def read(self) -> bytes:
        try:
            with self._storage.open(self.get_full_path(), mode=self.read_mode) as file:
                return file.read()
        except FileNotFoundError as exc:
            raise ImportFileGone(self.name) from exc

    def remove(self) -> None:
        if is_import_file_name(self.name):
            self._storage.delete(self.name)  # a file already gone is no error

    def get_full_path(self) -> str:
        if not is_import_file_name(self.name):
            raise ImportFileGone(self.name)
        return self.name
