"""The owner filters (mine, unassigned, recently assigned to me, assigned to someone) on the lists and in the
admin: each returns exactly the right rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ADMINISTRATOR, CASE_WORKER, RESETTLEMENT_OFFICER
from oimsite.lists.owners import filter_by_owner
from reintegration.models import FollowUp
from resettlement.models import ResettlementFile
from returns.models import Returnee
from tests.helpers import resettlement_file, returnee


@pytest.fixture
def world(db, make_user):
    alice = make_user("alice", CASE_WORKER)
    bob = make_user("bob", CASE_WORKER)
    now = timezone.now()
    recent = returnee(assigned_to=alice, assigned_on=now - timedelta(days=2))
    older = returnee(assigned_to=alice, assigned_on=now - timedelta(days=10))
    bobs = returnee(assigned_to=bob, assigned_on=now - timedelta(days=1))
    nobody = returnee()
    return {"alice": alice, "bob": bob, "recent": recent, "older": older, "bobs": bobs, "nobody": nobody}


def pks(rows) -> set[int]:
    return {row.pk for row in rows}


@pytest.mark.parametrize(("choice", "expected"), [
    ("mine", {"recent", "older"}), ("unassigned", {"nobody"}), ("recent", {"recent"}),
])
def test_filter_by_owner(world, choice, expected):
    rows = filter_by_owner(Returnee.objects.all(), choice, world["alice"])
    assert pks(rows) == {world[name].pk for name in expected}


def list_rows(client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return pks(row.record for row in response.context["table"].paginated_rows)


@pytest.mark.parametrize(("query", "expected"), [
    ("owner=mine", {"recent", "older"}), ("owner=unassigned", {"nobody"}), ("owner=recent", {"recent"}),
    ("", {"recent", "older", "bobs", "nobody"}),
])
def test_returnee_list_owner_filter(client, world, query, expected):
    client.force_login(world["alice"])
    assert list_rows(client, reverse("returns:returnee_list") + "?" + query) == {world[n].pk for n in expected}


def test_returnee_list_assigned_to_filter_and_column(client, world):
    client.force_login(world["alice"])
    url = reverse("returns:returnee_list") + f"?assigned_to={world['bob'].pk}"
    assert list_rows(client, url) == {world["bobs"].pk}
    assert "bob" in client.get(url).content.decode()


def test_returnee_list_refuses_unknown_owner_values(client, world):
    client.force_login(world["alice"])
    for query in ("owner=everyone", "assigned_to=abc", "assigned_to=999999"):
        response = client.get(reverse("returns:returnee_list") + "?" + query)
        assert response.status_code == 400, query
        assert "Select a valid choice" in response.content.decode() or "Sélectionnez un choix valide" in \
            response.content.decode()


@pytest.mark.parametrize(("query", "expected"), [
    ("owner=mine", {"recent", "older"}), ("owner=unassigned", {"nobody"}), ("owner=recent", {"recent"}),
    ("assigned_to={bob}", {"bobs"}),
])
def test_returnee_admin_owner_filters(client, world, make_user, query, expected):
    admin_user = make_user("root", ADMINISTRATOR)
    # The administrator's "mine": give them alice's cases for this test.
    Returnee.objects.filter(assigned_to=world["alice"]).update(assigned_to=admin_user)
    client.force_login(admin_user)
    response = client.get(reverse("admin:returns_returnee_changelist") + "?" + query.format(bob=world["bob"].pk))
    assert response.status_code == 200
    assert pks(response.context["cl"].queryset) == {world[n].pk for n in expected}


def test_admin_refuses_an_unknown_owner_filter(client, world, make_user):
    client.force_login(make_user("root", ADMINISTRATOR))
    for query in ("owner=everyone", "assigned_to=abc"):
        response = client.get(reverse("admin:returns_returnee_changelist") + "?" + query)
        assert response.status_code == 302 and response["Location"].endswith("?e=1"), query


def test_resettlement_file_list_owner_filters(client, make_user):
    carla = make_user("carla", RESETTLEMENT_OFFICER)
    mine = resettlement_file()
    ResettlementFile.objects.filter(pk=mine.pk).update(assigned_to=carla, assigned_on=timezone.now())
    other = resettlement_file()
    client.force_login(carla)
    assert list_rows(client, reverse("resettlement:file_list") + "?owner=mine") == {mine.pk}
    assert list_rows(client, reverse("resettlement:file_list") + "?owner=recent") == {mine.pk}
    assert list_rows(client, reverse("resettlement:file_list") + "?owner=unassigned") == {other.pk}
    response = client.get(reverse("admin:resettlement_resettlementfile_changelist") + "?owner=unassigned")
    assert pks(response.context["cl"].queryset) == {other.pk}


def test_follow_up_list_owner_and_due_filters(client, world):
    today = timezone.localdate()
    r = world["recent"]
    FollowUp.objects.all().delete()  # those the schedule planned for the returned cases
    Returnee.objects.filter(pk=r.pk).update(departure_date=today - timedelta(days=100))
    overdue = FollowUp.objects.create(returnee=r, kind="phone", due_date=today - timedelta(days=3),
                                      assigned_to=world["alice"])
    this_week = FollowUp.objects.create(returnee=r, kind="home", due_date=today + timedelta(days=3))
    later = FollowUp.objects.create(returnee=r, kind="phone", due_date=today + timedelta(days=30),
                                    assigned_to=world["bob"])
    done = FollowUp.objects.create(returnee=r, kind="phone", due_date=today - timedelta(days=20),
                                   done_on=today - timedelta(days=19), outcome="reached", assigned_to=world["alice"])
    client.force_login(world["alice"])
    url = reverse("reintegration:followup_list")
    expectations = {
        "owner=mine": {overdue, done}, "owner=unassigned": {this_week},
        f"assigned_to={world['bob'].pk}": {later}, "due=overdue": {overdue}, "due=week": {this_week},
        "due=pending": {overdue, this_week, later}, "due=done": {done}, "kind=home": {this_week},
        "owner=mine&due=pending": {overdue},
    }
    for query, expected in expectations.items():
        assert list_rows(client, f"{url}?{query}") == pks(expected), query
    assert client.get(f"{url}?owner=recent").status_code == 400  # follow-ups have no date of assignment
    assert client.get(reverse("reintegration:followup_detail", args=[overdue.pk])).status_code == 200


def test_follow_up_admin_filters(client, world, make_user):
    today = timezone.localdate()
    r = world["recent"]
    FollowUp.objects.all().delete()  # those the schedule planned for the returned cases
    Returnee.objects.filter(pk=r.pk).update(departure_date=date(2024, 1, 1))
    overdue = FollowUp.objects.create(returnee=r, kind="phone", due_date=today - timedelta(days=3))
    soon = FollowUp.objects.create(returnee=r, kind="home", due_date=today + timedelta(days=2))
    client.force_login(make_user("root", ADMINISTRATOR))
    url = reverse("admin:reintegration_followup_changelist")
    for query, expected in {"due=overdue": {overdue}, "due=week": {soon}, "owner=unassigned": {overdue, soon},
                            "kind=home": {soon}}.items():
        response = client.get(f"{url}?{query}")
        assert pks(response.context["cl"].queryset) == pks(expected), query
