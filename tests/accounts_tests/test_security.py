"""Login throttling, CSRF, sessions, headers, production settings, audit log and history."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import AppendOnlyError, AuditEvent, AuditEventKind
from accounts.roles import ADMINISTRATOR, CASE_WORKER, DATA_OFFICER
from returns.models import Returnee
from tests.helpers import PASSWORD, admin_form_data, in_english

BASE = Path(__file__).resolve().parents[2]


def _fail(client: Client, url: str, username: str, password: str = "wrong-password-123"):
    return client.post(url, {"username": username, "password": password})


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_five_failures_lock_the_account_for_30_minutes(db, make_user, url):
    make_user("amina", CASE_WORKER)
    client = in_english(Client())
    for _attempt in range(4):
        response = _fail(client, url, "amina")
        assert response.status_code == 200  # the form again, with its error
    response = _fail(client, url, "amina")
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert "blocked for 30 minutes" in response.content.decode()
    # Even the right password is refused now, and no session is opened.
    response = client.post(url, {"username": "amina", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind=AuditEventKind.LOGIN_FAILED, username="amina").count() >= 5
    assert not AuditEvent.objects.filter(kind=AuditEventKind.LOGIN).exists()


def test_wrong_password_says_so_and_logs(db, make_user):
    make_user("karim", CASE_WORKER)
    response = _fail(in_english(Client()), "/login/", "karim")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    event = AuditEvent.objects.get(kind=AuditEventKind.LOGIN_FAILED)
    assert event.username == "karim" and event.ip_address == "127.0.0.1"
    assert "wrong-password" not in str(event.detail)


def test_login_and_logout_are_logged(db, make_user):
    make_user("salma", CASE_WORKER)
    client = Client()
    response = client.post("/login/", {"username": "salma", "password": PASSWORD})
    assert response.status_code == 302
    client.post("/logout/")
    kinds = list(AuditEvent.objects.order_by("pk").values_list("kind", "username"))
    assert kinds == [(AuditEventKind.LOGIN, "salma"), (AuditEventKind.LOGOUT, "salma")]


def test_audit_events_are_append_only(db):
    event = AuditEvent.objects.record(AuditEventKind.LOGIN, username="x")
    event.username = "y"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(username="z")


def test_audit_event_admin_is_read_only_for_the_administrator(db, make_user):
    admin_user = make_user("chef", ADMINISTRATOR)
    event = AuditEvent.objects.record(AuditEventKind.LOGIN, username="x")
    client = Client()
    client.force_login(admin_user)
    assert client.get(reverse("admin:accounts_auditevent_changelist")).status_code == 200
    response = client.post(reverse("admin:accounts_auditevent_change", args=[event.pk]), {"username": "forged"})
    assert response.status_code == 403
    assert client.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).username == "x"


def test_forged_or_missing_csrf_token_is_refused(db, make_user, cases):
    user = make_user("nadia", CASE_WORKER)
    client = in_english(Client(enforce_csrf_checks=True))
    client.force_login(user)
    returnee = cases["returnee"]
    url = reverse("admin:returns_returnee_change", args=[returnee.pk])
    for data in ({"family_name": "Forged"}, {"family_name": "Forged", "csrfmiddlewaretoken": "x" * 64}):
        response = client.post(url, data)
        assert response.status_code == 403
        assert "Nothing was saved" in response.content.decode()
    assert Returnee.objects.get(pk=returnee.pk).family_name == "Diallo"
    # The login form too.
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "nadia", "password": PASSWORD})
    assert response.status_code == 403


def test_session_expires_after_30_minutes_idle_and_at_browser_close(db, make_user):
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client = Client()
    client.post("/login/", {"username": make_user("omar", CASE_WORKER).username, "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    assert cookie["httponly"]
    assert client.session.get_expiry_age() == 1800


def test_security_headers_and_csp_on_site_and_admin(db, make_user):
    client = Client()
    client.force_login(make_user("admin2", ADMINISTRATOR))
    for url in ["/login/", "/", "/admin/", reverse("admin:returns_returnee_add")]:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/login/", "/admin/login/", "/admin/", "/admin/returns/returnee/add/"])
def test_pages_have_no_inline_script_or_style(db, make_user, url):
    import re

    client = Client()
    if "login" not in url:
        client.force_login(make_user("admin3", ADMINISTRATOR))
    html = client.get(url).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> blocked by the CSP"
    assert not re.search(r"\sstyle=\"", html), "inline style attribute blocked by the CSP"
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=\"", html), "inline event handler blocked by the CSP"


def test_error_pages_show_no_traceback(db, make_user, settings):
    settings.DEBUG = False
    client = in_english(Client(raise_request_exception=False))
    client.force_login(make_user("worker", CASE_WORKER))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() and "Traceback" not in response.content.decode()
    response = client.get(reverse("resettlement:file_list"))
    assert response.status_code == 403
    assert "need-to-know" in response.content.decode()


def _check_deploy(env_extra: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "example.org", **env_extra})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE, env=env, capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_passes_without_warning_in_production():
    result = _check_deploy({"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("key", [None, "django-insecure-development-only-key-never-use-in-production", "short-key"])
def test_production_refuses_a_missing_weak_or_development_key(key):
    result = _check_deploy({} if key is None else {"DJANGO_SECRET_KEY": key})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must" in result.stderr


def test_history_records_who_changed_what(db, make_user, cases):
    user = make_user("editor", CASE_WORKER)
    client = Client()
    client.force_login(user)
    returnee = cases["returnee"]
    url = reverse("admin:returns_returnee_change", args=[returnee.pk])
    data = admin_form_data(client.get(url))
    data["family_name"] = "Diallo-Ba"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    from django.utils import translation

    from oimsite.core.history import history_entries

    with translation.override("en"):
        latest = history_entries(returnee)[0]
    assert latest.user == user and latest.action == "Changed"
    assert [(c.field, c.old, c.new) for c in latest.changes] == [("family name", "Diallo", "Diallo-Ba")]
    # The admin history page shows it too, and a data officer can read it but not revert.
    officer = make_user("mne", DATA_OFFICER)
    client.force_login(officer)
    page = client.get(reverse("admin:returns_returnee_history", args=[returnee.pk])).content.decode()
    assert "Diallo-Ba" in page and "editor" in page
    assert " style=\"" not in page  # simple_history's own template has one, which the CSP blocks
    version = returnee.history.earliest().history_id
    revert = client.post(reverse("admin:returns_returnee_simple_history", args=[returnee.pk, version]), data)
    assert revert.status_code == 403
    client.force_login(make_user("boss", ADMINISTRATOR))
    revert = client.post(reverse("admin:returns_returnee_simple_history", args=[returnee.pk, version]), data)
    assert revert.status_code == 403
    assert Returnee.objects.get(pk=returnee.pk).family_name == "Diallo-Ba"


def test_history_include_renders(db, cases):
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("en"):
        html = Template(
            '{% load audit %}{% include "accounts/_history.html" with entries=obj|history_entries %}'
        ).render(Context({"obj": cases["returnee"]}))
    assert "History of changes" in html and "Diallo" in html


def test_history_records_a_change_of_vulnerabilities(db, make_user, cases):
    from django.utils import translation

    from oimsite.core.history import history_entries
    from returns.models import VulnerabilityCategory

    client = Client()
    client.force_login(make_user("editor", CASE_WORKER))
    returnee = cases["returnee"]
    url = reverse("admin:returns_returnee_change", args=[returnee.pk])
    data = admin_form_data(client.get(url))
    child = VulnerabilityCategory.objects.get(code="child")
    data["vulnerabilities"] = [str(child.pk)]
    assert client.post(url, data).status_code == 302
    with translation.override("en"):
        changes = [(c.field, c.old, c.new) for entry in history_entries(returnee) for c in entry.changes]
        assert ("vulnerabilities", "", str(child)) in changes  # named in the reader's language: "Child"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("DJANGO_SECURE_SSL_REDIRECT", "flase", "DJANGO_SECURE_SSL_REDIRECT='flase': use 1 or 0"),
    ("DJANGO_HSTS_SECONDS", "one year", "DJANGO_HSTS_SECONDS='one year': a whole number of at least 0"),
    ("DJANGO_CONN_MAX_AGE", "-5", "DJANGO_CONN_MAX_AGE='-5': a whole number of at least 0"),
    ("DJANGO_PROXY_COUNT", "0", "DJANGO_PROXY_COUNT='0': a whole number of at least 1"),
    ("OIM_LANGUAGE_CODE", "de", "OIM_LANGUAGE_CODE='de': choose one of fr, en, ar."),
])
def test_a_malformed_setting_is_refused_by_name(name, value, message):
    result = _check_deploy({"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), name: value})
    assert result.returncode != 0
    assert message in result.stderr
