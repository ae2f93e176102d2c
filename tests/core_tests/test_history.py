"""The history of a case record, in the admin and on a detail page, costs the same queries at 2 or 30 versions.

simple-history's admin diffs each record against the previous one, and with m2m fields (the returnee's
vulnerabilities) that queried the m2m rows of every record: 8 queries for 1 version, 66 for 31.
"""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.roles import ADMINISTRATOR, CASE_WORKER
from oimsite.core.history import history_entries
from returns.models import VulnerabilityCategory
from tests import helpers
from tests.helpers import in_english

ADMINS = {
    "returnee": "returns_returnee",
    "session": "reintegration_supportsession",
    "file": "resettlement_resettlementfile",
    "refugee": "resettlement_refugee",
}
TEXT_FIELD = {"returnee": "notes", "session": "notes", "file": "notes", "refugee": "given_name"}


def add_versions(obj, key, count, users, other_vulnerability):
    """`count` more versions of `obj`, by alternating users; the returnee's alternate with m2m changes."""
    for i in range(count):
        obj._history_user = users[i % len(users)]
        if key == "returnee" and i % 2:
            if obj.vulnerabilities.filter(pk=other_vulnerability.pk).exists():
                obj.vulnerabilities.remove(other_vulnerability)
            else:
                obj.vulnerabilities.add(other_vulnerability)
        else:
            setattr(obj, TEXT_FIELD[key], f"v{obj.history.count()}-{i}")
            obj.save()


def _queries(fn) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


@pytest.mark.parametrize("key", ADMINS)
def test_admin_history_page_queries_do_not_grow_with_versions(db, make_user, cases, key):
    obj = cases[key]
    users = [make_user("hist-a", CASE_WORKER), make_user("hist-b", CASE_WORKER)]
    other = VulnerabilityCategory.objects.get_or_create(code="test-other", defaults={"name": "Other"})[0]
    client = in_english(Client())
    client.force_login(make_user("root", ADMINISTRATOR))
    url = reverse(f"admin:{ADMINS[key]}_history", args=[obj.pk])
    assert client.get(url).status_code == 200  # warm the per-process caches (content types, …)

    add_versions(obj, key, 2 - obj.history.count(), users, other)
    few, response = _queries(lambda: client.get(url))
    assert response.status_code == 200
    add_versions(obj, key, 30 - obj.history.count(), users, other)
    assert obj.history.count() == 30
    many, response = _queries(lambda: client.get(url))
    assert response.status_code == 200
    assert few == many, (few, many)
    assert few <= 14, few  # the admin page itself (session, permissions, …) and 3 for the m2m rows
    page = response.content.decode()
    assert "hist-b" in page and "v28" in page  # the users and the changes are shown
    if key == "returnee":
        assert "Vulnerabilities:" in page and "Other" in page  # the m2m diff too


@pytest.mark.parametrize("key", ADMINS)
def test_history_include_queries_do_not_grow_with_versions(db, make_user, cases, key):
    obj = cases[key]
    users = [make_user("hist-a", CASE_WORKER), make_user("hist-b", CASE_WORKER)]
    other = VulnerabilityCategory.objects.get_or_create(code="test-other", defaults={"name": "Other"})[0]
    template = Template('{% load audit %}{% include "accounts/_history.html" with entries=obj|history_entries %}')

    def render():
        with translation.override("en"):
            return template.render(Context({"obj": obj}))

    add_versions(obj, key, 2 - obj.history.count(), users, other)
    few, _html = _queries(render)
    add_versions(obj, key, 30 - obj.history.count(), users, other)
    many, html = _queries(render)
    assert few == many, (few, many)
    assert few <= 4, few  # the records with their users; the m2m rows and their objects
    assert "hist-b" in html
    if key == "returnee":
        with translation.override("en"):
            changes = [(c.field, c.old, c.new) for e in history_entries(obj) for c in e.changes]
        assert ("vulnerabilities", "Child", "Child, Other") in changes
        assert ("vulnerabilities", "Child, Other", "Child") in changes


def test_a_new_returnee_s_history_row_reads_nothing_back_and_later_rows_keep_the_vulnerabilities(db):
    """`CaseHistory` skips the many-to-many read of a record just created (it has none yet); the rows of its
    later changes carry its vulnerabilities as simple-history writes them."""
    child = VulnerabilityCategory.objects.get_or_create(code="child", defaults={"name": "Child"})[0]
    person = helpers.build_returnee()
    with CaptureQueriesContext(connection) as queries:
        person.save()
    # The row and its history row; then its follow-up schedule (a returned case), nothing else.
    returnee_queries = [" ".join(q["sql"].split()[:3]) for q in queries if "returns_" in q["sql"].split("(")[0]]
    assert returnee_queries == ['INSERT INTO "returns_returnee"', 'INSERT INTO "returns_historicalreturnee"'], [
        q["sql"] for q in queries]
    assert not [q for q in queries if "vulnerabilit" in q["sql"]]
    person.vulnerabilities.add(child)
    person.notes = "Suivi."
    person.save()
    created, added, changed = person.history.order_by("history_id")
    assert (created.history_type, added.history_type, changed.history_type) == ("+", "~", "~")
    assert [row.vulnerabilitycategory_id for row in created.vulnerabilities.all()] == []
    assert [row.vulnerabilitycategory_id for row in added.vulnerabilities.all()] == [child.pk]
    assert [row.vulnerabilitycategory_id for row in changed.vulnerabilities.all()] == [child.pk]
