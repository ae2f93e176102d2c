"""The site's middleware (oimsite/middleware.py).

No browser or proxy keeps a copy of a page with personal data: every response but a static file says
`Cache-Control: no-store` (and `private`): lists, detail pages, exports, the shared report, the dashboard,
the admin, error pages, the login page; logout clears what a browser may have kept anyway. SQLite's
"database is locked" is a translated 503 "try again" page.
"""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from oimsite.middleware import DatabaseBusyMiddleware
from tests.helpers import PASSWORD


def assert_not_stored(response, what: str) -> None:
    directives = {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, (what, response.status_code, response.get("Cache-Control"))


@pytest.fixture
def urls(cases) -> dict[str, str]:
    returnee, session, file, refugee = cases["returnee"], cases["session"], cases["file"], cases["refugee"]
    return {
        "dashboard": reverse("dashboard"),
        "reconciliation": reverse("reconciliation"),
        "returnee list": reverse("returns:returnee_list"),
        "returnee detail": reverse("returns:returnee_detail", args=[returnee.pk]),
        "session list": reverse("reintegration:session_list"),
        "session detail": reverse("reintegration:session_detail", args=[session.pk]),
        "file list": reverse("resettlement:file_list"),
        "file detail": reverse("resettlement:file_detail", args=[file.pk]),
        "refugee list": reverse("resettlement:refugee_list"),
        "refugee detail": reverse("resettlement:refugee_detail", args=[refugee.pk]),
        "returnee CSV": reverse("returns:returnee_list") + "?_export=csv",
        "returnee XLSX": reverse("returns:returnee_list") + "?_export=xlsx",
        "refugee CSV": reverse("resettlement:refugee_list") + "?_export=csv",
        "shared CSV": reverse("shared_report", args=["csv"]) + "?year=2024",
        "shared XLSX": reverse("shared_report", args=["xlsx"]) + "?year=2024",
        "admin index": reverse("admin:index"),
        "admin changelist": reverse("admin:returns_returnee_changelist"),
        "admin change form": reverse("admin:returns_returnee_change", args=[returnee.pk]),
        "admin history": reverse("admin:returns_returnee_history", args=[returnee.pk]),
        "not found": "/returns/999999/",
    }


def test_every_kind_of_page_and_download_is_sent_with_no_store(admin_client_logged, urls):
    for what, url in urls.items():
        response = admin_client_logged.get(url)
        assert response.status_code in (200, 404), (what, response.status_code)
        assert_not_stored(response, what)


def test_pages_seen_without_a_session_are_not_stored_either(db):
    client = Client()
    for url in ["/login/", "/admin/login/", "/returns/", "/"]:
        assert_not_stored(client.get(url), url)


def test_a_refused_page_is_not_stored(db, role_client, urls):
    from accounts.roles import RESETTLEMENT_OFFICER

    client = role_client(RESETTLEMENT_OFFICER)
    response = client.get(urls["returnee list"])
    assert response.status_code == 403
    assert_not_stored(response, "403")


def test_static_files_stay_cacheable(db):
    # WhiteNoise answers them above the middleware: the stylesheet carries no personal data.
    response = Client().get(static("oimsite/site.css"))
    if response.status_code == 404:
        pytest.skip("static files not collected (manage.py collectstatic)")
    assert "no-store" not in response.get("Cache-Control", "")


def test_logout_asks_the_browser_to_drop_its_cache(db, make_user):
    make_user("salma")
    client = Client()
    assert client.post("/login/", {"username": "salma", "password": PASSWORD}).status_code == 302
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'
    assert_not_stored(response, "logout")


def test_the_try_again_page_is_translated():
    middleware = DatabaseBusyMiddleware(lambda request: None)
    request = RequestFactory().post("/admin/returns/returnee/1/change/")
    with translation.override("fr"):
        response = middleware.process_exception(request, OperationalError("database is locked"))
    assert response.status_code == 503
    assert "Rien n’a été enregistré" in response.content.decode()
    # Any other database error stays an error: a 500, logged.
    assert middleware.process_exception(request, OperationalError("no such table: x")) is None
