"""French is the interface's default language, Arabic and English the others: every string has its French and
its Arabic, and the catalogues are current."""

import gettext
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["fr", "ar"]  # the catalogues we keep; English is the source


def po_path(language: str, base: Path = LOCALE) -> Path:
    return base / language / "LC_MESSAGES" / "django.po"


def catalog(path: Path, language: str = "fr"):
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    messages = [m for m in catalog(po_path(language), language) if m.id]
    untranslated = [m.id for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog(po_path(language),
                                                                                        language).check()]
    assert problems == []


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs gettext: apt-get install gettext")
@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_the_catalogue(language):
    """GNU gettext's own checks: format strings, plural forms against the header, the header itself."""
    result = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(po_path(language))],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_arabic_catalogue_has_arabics_six_plural_forms():
    arabic = catalog(po_path("ar"), "ar")
    assert arabic.num_plurals == 6
    plurals = [m for m in arabic if m.id and isinstance(m.id, tuple)]
    assert plurals and all(len(m.string) == 6 for m in plurals)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="makemessages needs gettext: apt-get install gettext")
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_holds_every_string_of_the_code(tmp_path, language):
    """makemessages, run afresh on a copy of the code, finds no string that the committed catalogue lacks."""
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "src"
    shutil.copytree(base, copy, ignore=shutil.ignore_patterns(
        ".venv", ".git", "staticfiles", "var", "test-artifacts", "tests", "fixtures", "locale", "*.pyc"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oimsite.settings", "OIM_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", language, "--no-obsolete", "-v", "0"],
                   cwd=copy, env=env, check=True, capture_output=True)
    fresh = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(po_path(language, copy / "locale"), language)}
    committed = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(po_path(language), language)}
    assert sorted(fresh - {""} - committed) == []


def test_the_setup_compiles_the_arabic_catalogue():
    call_command("compiletranslations", stdout=io.StringIO())
    with po_path("ar").with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    assert compiled.gettext("Dashboard") == "لوحة المعلومات"
    assert compiled.ngettext("%(count)s migrant", "%(count)s migrants", 2) == "%(count)s مهاجران"
    assert compiled.ngettext("%(count)s migrant", "%(count)s migrants", 7) == "%(count)s مهاجرين"
    assert compiled.ngettext("%(count)s migrant", "%(count)s migrants", 11) == "%(count)s مهاجرًا"
    assert compiled.ngettext("%(count)s migrant", "%(count)s migrants", 1000) == "%(count)s مهاجر"


@pytest.mark.django_db
def test_pages_are_in_french_by_default(client, admin_client_logged):
    page = admin_client_logged.get(reverse("dashboard")).content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Tableau de bord" in page
    assert "Aucun retour ni départ n’a encore été enregistré" in page
