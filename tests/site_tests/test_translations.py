"""French is the interface's default language: every string has its French, and the catalogue is current."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

PO = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, locale="fr")


def test_every_string_has_a_french_translation():
    messages = [m for m in catalog(PO) if m.id]
    untranslated = [m.id for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_their_placeholders():
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog(PO).check()]
    assert problems == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs gettext: apt-get install gettext")
def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    """makemessages, run afresh on a copy of the code, finds no string that the committed catalogue lacks."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(base, copy, ignore=shutil.ignore_patterns(
        ".venv", ".git", "staticfiles", "var", "test-artifacts", "tests", "fixtures", "locale", "*.pyc"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oimsite.settings", "OIM_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0"],
                   cwd=copy, env=env, check=True, capture_output=True)
    fresh = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(copy / "locale/fr/LC_MESSAGES/django.po")}
    committed = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(PO)}
    assert sorted(fresh - {""} - committed) == []


@pytest.mark.django_db
def test_pages_are_in_french_by_default(client, admin_client_logged):
    page = admin_client_logged.get(reverse("dashboard")).content.decode()
    assert '<html lang="fr">' in page
    assert "Tableau de bord" in page
    assert "Aucun retour ni départ n’a encore été enregistré" in page
