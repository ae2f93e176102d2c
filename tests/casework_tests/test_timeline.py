"""A case's timeline on its detail page: every kind of event, oldest first, with who and when; a fixed number of
queries; each kind shown only to those who may see it."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import CASE_WORKER, DATA_OFFICER, RESETTLEMENT_OFFICER
from casework.timeline import file_timeline, returnee_timeline
from oimsite.core.assignment import reassign
from reintegration.models import FollowUp, PlanGoal, ReintegrationPlan, SupportSession
from resettlement.models import Refugee
from returns.models import Stage
from tests import helpers
from tests.helpers import in_english

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def saved_by(obj, user, when: datetime):
    """Save as `user` at `when` (simple-history reads these attributes for the history row)."""
    obj._history_user, obj._history_date = user, when
    obj.save()
    del obj._history_user, obj._history_date  # later saves are now, by whoever makes them
    return obj


@pytest.fixture
def story(work, make_user):
    """A returnee's year: registered and returned, a session, a plan with a goal agreed, a follow-up done, the
    stage moved on, a new owner today, a follow-up still to come."""
    awa, omar = make_user("awa", CASE_WORKER), make_user("omar", CASE_WORKER)
    omar.first_name, omar.last_name = "Omar", "Benali"
    omar.save()
    case = saved_by(helpers.build_returnee(family_name="Traoré"), work.boss, at(date(2024, 5, 1)))
    helpers.session(case, on=date(2024, 6, 1), kind="cash")
    plan = saved_by(ReintegrationPlan(returnee=case), awa, at(date(2024, 6, 15)))
    saved_by(PlanGoal(plan=plan, dimension="economic", need="Open a shop", planned_support="economic"), awa,
             at(date(2024, 6, 16)))
    plan.status, plan.agreed_on = "agreed", date(2024, 7, 1)
    saved_by(plan, awa, at(date(2024, 7, 1)))
    FollowUp.objects.create(returnee=case, kind="home", due_date=date(2024, 8, 5), assigned_to=awa,
                            done_on=date(2024, 8, 10), outcome="reached", notes="Shop opened.")
    case.stage = Stage.REINTEGRATION
    saved_by(case, awa, at(date(2024, 9, 1)))
    reassign([case], omar, by=work.boss, reason="Awa moves to Oujda")
    FollowUp.objects.create(returnee=case, kind="phone", due_date=work.today + timedelta(days=40), assigned_to=omar)
    return {"case": case, "awa": awa, "omar": omar}


def entries_on_page(page: str) -> list[tuple[str, str, str]]:
    """(kind, when, text) of each line of the page's timeline, in order."""
    timeline = page.split('id="case-timeline-title"')[1].split("</section>")[0]
    lines = re.findall(r'<li class="[^"]*" data-kind="([\w-]+)">\s*<time datetime="([^"]+)">.*?</time>(.*?)</li>',
                       timeline, re.S)
    return [(kind, when, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()) for kind, when, text in lines]


def test_the_returnee_timeline_in_order_with_who_and_when(story, client):
    client.force_login(story["awa"])
    page = in_english(client).get(reverse("returns:returnee_detail", args=[story["case"].pk])).content.decode()
    entries = entries_on_page(page)
    assert [kind for kind, _when, _text in entries] == [
        "stage", "session", "plan", "goal", "plan", "follow-up", "stage", "assignment", "follow-up"]
    whens = [when[:10] for _kind, when, _text in entries]
    assert whens[:7] == ["2024-05-01", "2024-06-01", "2024-06-15", "2024-06-16", "2024-07-01", "2024-08-10",
                         "2024-09-01"]
    assert whens == sorted(whens)
    texts = [text for _kind, _when, text in entries]
    assert texts[0] == "— Case recorded at the stage “Returned” by boss"
    assert texts[1].startswith("— Session: Cash / financial aid (After return)")
    assert texts[2] == "— Plan created (Draft) by awa"
    assert texts[3] == "— Goal added: Economic — Open a shop by awa"
    assert texts[4] == "— Plan: Agreed by awa"
    assert texts[5].startswith("— Follow-up done: Home visit — Reached, doing well assigned to awa")
    assert "Shop opened." in texts[5]
    assert texts[6] == "— Stage: Returned → Reintegration in progress by awa"
    assert texts[7] == "— Assigned to Omar Benali by boss Awa moves to Oujda"  # the reason under it
    assert texts[8] == "— Follow-up due: Phone call assigned to Omar Benali"
    # The session line opens the session.
    session = SupportSession.objects.get(returnee=story["case"])
    assert f'<a href="{session.get_absolute_url()}">Session: Cash' in page


def test_each_kind_is_shown_to_those_who_may_see_it(story, make_user):
    case = story["case"]
    kinds = {entry.kind for entry in returnee_timeline(case, story["awa"])}
    assert kinds == {"stage", "session", "plan", "goal", "follow-up", "assignment"}
    # Without the permissions of plans, follow-ups, sessions and the assignment log: the case's own changes.
    stranger = make_user("reader", None)
    stranger.user_permissions.add(Permission.objects.get(codename="view_returnee"))
    stranger = type(stranger).objects.get(pk=stranger.pk)
    assert {entry.kind for entry in returnee_timeline(case, stranger)} == {"stage"}
    data_officer = make_user("data", DATA_OFFICER)
    assert {entry.kind for entry in returnee_timeline(case, data_officer)} == kinds


def _detail_queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_timeline_costs_the_same_queries_for_a_long_case(work, story, client):
    client.force_login(story["awa"])
    case = story["case"]
    url = reverse("returns:returnee_detail", args=[case.pk])
    short = _detail_queries(client, url)
    plan = ReintegrationPlan.objects.get(returnee=case)
    for n in range(6):
        helpers.session(case, on=date(2024, 10, 1 + n), kind="health")
        PlanGoal.objects.create(plan=plan, dimension="social", need=f"Need {n}", planned_support="social")
        FollowUp.objects.create(returnee=case, kind="phone", due_date=date(2025, 1, 1 + n), assigned_to=story["awa"])
        reassign([case], story["awa"] if n % 2 == 0 else story["omar"], by=work.boss)
        case.refresh_from_db()
        case.notes = f"Note {n}"
        case.save()
    assert _detail_queries(client, url) == short
    # One query per kind (two for the sessions: theirs and their creators'), whatever the number of entries.
    returnee_timeline(case, story["awa"])  # the user's permissions, loaded once
    with CaptureQueriesContext(connection) as queries:
        entries = returnee_timeline(case, story["awa"])
    assert len(queries) == 7
    assert sum(1 for e in entries if e.kind == "note") == 6


def test_the_file_timeline_stage_changes_owners_and_refugees(work, make_user, client):
    leila = make_user("leila", RESETTLEMENT_OFFICER)
    file = saved_by(helpers.build_file(stage="referred", departure_date=None), work.boss, at(date(2024, 1, 10)))
    refugee = helpers.build_refugee(file, given_name="Rania")
    refugee._history_user = leila
    refugee.save()
    Refugee.objects.filter(pk=refugee.pk).update(created_at=at(date(2024, 1, 12)))
    file.refresh_from_db()
    file.stage = "interviewed"
    saved_by(file, leila, at(date(2024, 2, 1)))
    reassign([file], leila, by=work.boss)
    client.force_login(leila)
    page = in_english(client).get(reverse("resettlement:file_detail", args=[file.pk])).content.decode()
    entries = entries_on_page(page)
    assert [kind for kind, _when, _text in entries] == ["stage", "refugee", "stage", "assignment"]
    assert entries[0][2] == "— File recorded at the stage “Referred” by boss"
    assert entries[1][2] == "— Refugee added: Rania Haddad by leila"
    assert entries[2][2] == "— Stage: Referred → Interviewed by leila"
    assert entries[3][2] == "— Assigned to leila by boss"
    file_timeline(file, leila)
    with CaptureQueriesContext(connection) as queries:
        file_timeline(file, leila)
    assert len(queries) == 4
