"""`ensure_staff`, run by `make run`: the administrator's login and, in development, a case worker's."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import CASE_WORKER

pytestmark = pytest.mark.django_db


def _run(**kwargs) -> dict[str, list[tuple[str, str]]]:
    out = StringIO()
    call_command("ensure_staff", url="http://127.0.0.1:8000/", stdout=out, **kwargs)
    text = out.getvalue()
    pairs = re.findall(r"username: (\S+)\n\s+password: (\S+)", text)
    return {"text": text, "logins": pairs}


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.DEBUG = True
    return tmp_path


def _baseline_worker(django_user_model, username: str = "k.tazi"):
    # As the baseline brings them: a case worker with no usable password.
    worker = django_user_model.objects.create(username=username, is_staff=True)
    worker.set_unusable_password()
    worker.save()
    worker.groups.add(Group.objects.get(name=CASE_WORKER))
    return worker


def test_the_printed_case_worker_login_works_and_lands_on_my_work(var_dir, django_user_model, client):
    _baseline_worker(django_user_model)
    logins = _run()["logins"]
    assert [username for username, _password in logins] == ["admin", "k.tazi"]
    username, password = logins[1]
    response = client.post(reverse("login"), {"username": username, "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("my_work")
    # Run again (make run twice): the same logins, nothing changed.
    assert _run()["logins"] == logins


def test_no_case_worker_login_outside_development(var_dir, settings, django_user_model):
    settings.DEBUG = False
    worker = _baseline_worker(django_user_model)
    result = _run()
    assert [username for username, _password in result["logins"]] == ["admin"]
    worker.refresh_from_db()
    assert not worker.has_usable_password()


def test_without_a_case_worker_only_the_administrator_is_printed(var_dir):
    assert [username for username, _password in _run()["logins"]] == ["admin"]
