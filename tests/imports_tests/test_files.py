"""The imports' waiting files (oimsite/lists/import_files.py): where they go and with which permissions, the
names a confirmation may give, the purge of abandoned ones, the command, and several processes sharing them."""

import io
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils.module_loading import import_string

from oimsite.lists.import_files import (
    IMPORT_FILE_MAX_AGE,
    ImportFileGone,
    ImportFileStorage,
    PrivateImportFileSystemStorage,
    purge_import_files,
)
from returns.admin import ReturneeAdmin

ROOT = Path(__file__).resolve().parents[2]
CONTENT = "Numéro de dossier;Prénom\nRVA-2024-00201;Awa\n".encode()


def saved(content: bytes = CONTENT) -> ImportFileStorage:
    storage = ImportFileStorage(read_mode="rb")
    storage.save(content)
    return storage


def age(path: Path, by: timedelta) -> None:
    """Make the file look written `by` ago: the time is the test's, no waiting."""
    written = path.stat().st_mtime - by.total_seconds()
    os.utime(path, (written, written))


def test_every_import_admin_uses_the_private_storage(import_files_dir):
    assert import_string(settings.IMPORT_EXPORT_TMP_STORAGE_CLASS) is ImportFileStorage
    assert ReturneeAdmin.tmp_storage_class is ImportFileStorage
    storage = storages["import_export"]
    assert isinstance(storage, PrivateImportFileSystemStorage)
    assert Path(storage.location) == import_files_dir
    with pytest.raises(ValueError):
        storage.url("x")


def test_the_file_is_kept_under_a_random_name_readable_by_the_server_user_only(import_files_dir):
    umask = os.umask(0)  # not the process's umask: the storage itself sets the modes
    try:
        storage = saved()
    finally:
        os.umask(umask)
    assert len(storage.name) == 32 and int(storage.name, 16) >= 0
    path = import_files_dir / storage.name
    assert stat.S_IMODE(import_files_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = ImportFileStorage(name=storage.name, read_mode="rb")
    assert again.read() == CONTENT
    again.remove()
    assert not path.exists()
    again.remove()  # already gone: no error


def test_a_directory_made_open_beforehand_is_closed_at_the_next_save(import_files_dir):
    import_files_dir.mkdir(mode=0o755)
    import_files_dir.chmod(0o755)
    saved()
    assert stat.S_IMODE(import_files_dir.stat().st_mode) == 0o700


@pytest.mark.parametrize("name", ["", "../victim.txt", "VICTIM", "0" * 31 + "/", "0" * 32 + "x", "0" * 32 + "\n"])
def test_a_posted_name_the_storage_never_gives_is_neither_read_nor_removed(import_files_dir, tmp_path, name):
    saved()
    victim = import_files_dir / "VICTIM"
    victim.write_bytes(b"not an import")
    outside = tmp_path / "victim.txt"
    outside.write_bytes(b"not an import")
    for posted in (name, str(outside), str(victim)):
        storage = ImportFileStorage(name=posted, read_mode="rb")
        with pytest.raises(ImportFileGone):
            storage.read()
        storage.remove()
    assert victim.read_bytes() == outside.read_bytes() == b"not an import"


def test_a_file_already_removed_is_gone_not_a_crash():
    storage = saved()
    storage.remove()
    with pytest.raises(ImportFileGone):
        ImportFileStorage(name=storage.name, read_mode="rb").read()


def test_the_purge_removes_the_files_older_than_the_limit_and_nothing_else(import_files_dir):
    abandoned, waiting = saved(), saved()
    age(import_files_dir / abandoned.name, IMPORT_FILE_MAX_AGE + timedelta(minutes=1))
    age(import_files_dir / waiting.name, IMPORT_FILE_MAX_AGE - timedelta(minutes=1))
    other = import_files_dir / "notes.txt"
    other.write_text("not ours")
    age(other, timedelta(days=30))
    assert purge_import_files() == 1
    assert sorted(p.name for p in import_files_dir.iterdir()) == sorted([waiting.name, "notes.txt"])
    # The same file, judged at a time given to the purge rather than the clock's.
    written = storages["import_export"].get_modified_time(waiting.name)
    assert purge_import_files(now=written + IMPORT_FILE_MAX_AGE) == 0
    assert purge_import_files(now=written + IMPORT_FILE_MAX_AGE + timedelta(seconds=1)) == 1
    assert [p.name for p in import_files_dir.iterdir()] == ["notes.txt"]


def test_the_purge_of_a_directory_never_made_removes_nothing(import_files_dir):
    assert not import_files_dir.exists()
    assert purge_import_files() == 0


def test_each_new_import_removes_the_abandoned_files_first(import_files_dir):
    abandoned = saved()
    age(import_files_dir / abandoned.name, IMPORT_FILE_MAX_AGE + timedelta(seconds=1))
    recent = saved()
    current = saved()
    assert sorted(p.name for p in import_files_dir.iterdir()) == sorted([recent.name, current.name])
    with pytest.raises(ImportFileGone):
        ImportFileStorage(name=abandoned.name, read_mode="rb").read()


def test_the_command_removes_the_abandoned_files(import_files_dir):
    abandoned, waiting = saved(), saved()
    age(import_files_dir / abandoned.name, timedelta(hours=5))
    out = io.StringIO()
    call_command("purge_import_files", stdout=out)
    assert out.getvalue().strip() == "1 abandoned import file(s) removed."
    assert [p.name for p in import_files_dir.iterdir()] == [waiting.name]


def test_another_server_process_reads_and_removes_the_file_this_one_saved(import_files_dir):
    """Nothing is kept in a process's memory: a second process started with the same settings (the directory
    from OIM_IMPORT_FILES_DIR) confirms the file this one saved."""
    storage = saved()
    child = ("import django; django.setup()\n"
             "from oimsite.lists.import_files import ImportFileStorage\n"
             f"storage = ImportFileStorage(name={storage.name!r}, read_mode='rb')\n"
             "print(storage.read().decode()); storage.remove()\n")
    env = {**os.environ, "OIM_IMPORT_FILES_DIR": str(import_files_dir), "DJANGO_SETTINGS_MODULE": "oimsite.settings",
           "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-c", child], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == CONTENT.decode().strip()
    assert not (import_files_dir / storage.name).exists()
