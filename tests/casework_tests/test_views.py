"""My work, the caseload and the landing page after login."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, CASE_WORKER, DATA_OFFICER, RESETTLEMENT_OFFICER, SUPERVISOR
from casework import selectors
from reintegration.models import FollowUp, ReintegrationPlan
from resettlement.models import ResettlementFile
from returns.models import Returnee
from tests.helpers import PASSWORD, SESSION_TOUCH_QUERIES, in_english

pytestmark = pytest.mark.django_db


def section(page: str, section_id: str) -> str:
    """The HTML of one section of My work (from its opening tag to the next section's)."""
    match = re.search(rf'<section class="work-section" id="{section_id}".*?</section>', page, re.S)
    assert match, f"no section {section_id!r}"
    return match.group(0)


def count_in(html: str) -> int:
    return int(re.search(r'class="work-count" data-count="(\d+)"', html).group(1))


# --- My work -------------------------------------------------------------------------------------------------

def test_a_case_worker_sees_exactly_their_own_follow_ups(work, make_user, client):
    me, colleague = make_user("awa", CASE_WORKER), make_user("omar", CASE_WORKER)
    mine, theirs = work.returnee(me, family="Mine"), work.returnee(colleague, family="Theirs")
    late = [work.follow_up(mine, -10, me), work.follow_up(mine, -1, me)]
    soon = work.follow_up(mine, 3, me)
    work.follow_up(mine, 30, me)  # later than this week
    work.follow_up(mine, -5, me, done=True)  # done: not overdue
    work.follow_up(theirs, -2, colleague)  # a colleague's, on their case
    work.follow_up(mine, -3, colleague)  # a colleague's, on my case
    client.force_login(me)
    page = in_english(client).get(reverse("my_work")).content.decode()

    overdue = section(page, "overdue")
    assert count_in(overdue) == 2
    assert overdue.count("<li") == 2
    assert [d.isoformat() for d in (f.due_date for f in late)] == re.findall(r'datetime="([\d-]+)"', overdue)
    assert "Theirs" not in overdue
    due_soon = section(page, "due-soon")
    assert count_in(due_soon) == 1 and soon.due_date.isoformat() in due_soon
    # Each line leads to the case.
    assert f'href="{mine.get_absolute_url()}"' in overdue


def test_my_open_cases_by_stage_with_counts_from_the_database(work, make_user, client):
    me = make_user("awa", CASE_WORKER)
    work.returnee(me)  # returned
    work.returnee(me)
    work.returnee(me, departed=None)  # registered
    work.returnee(me, stage="closed", closure_reason="lost_contact")  # not open
    work.returnee(make_user("omar", CASE_WORKER))
    client.force_login(me)
    page = in_english(client).get(reverse("my_work")).content.decode()
    cases = section(page, "my-returnees")
    assert count_in(cases) == 3
    stages = dict((label, int(n)) for n, label in re.findall(r'<span class="stage-count">(\d+)</span> ([^<]+)</',
                                                               cases))
    assert stages["Returned"] == 2 and stages["Registered"] == 1 and stages["Counselled"] == 0
    # Each stage with cases opens the list of exactly those: the user's open cases at that stage.
    link = re.search(r'<a href="([^"]+)"><span class="stage-count">2</span> Returned</a>', cases).group(1)
    listed = in_english(client).get(link.replace("&amp;", "&"))
    assert listed.status_code == 200 and listed.context["table"].paginator.count == 2
    assert "my-files" not in page  # a case worker has no resettlement files


def test_plans_awaiting_agreement_flag_the_late_ones(work, make_user, client):
    me = make_user("awa", CASE_WORKER)
    late = work.returnee(me, departed=date(2024, 5, 10), family="Late")
    recent = work.returnee(me, departed=work.today, family="Recent")
    agreed = work.returnee(me, family="Agreed")
    work.plan(late)
    work.plan(recent)
    work.plan(agreed, status="agreed")
    work.plan(work.returnee(make_user("omar", CASE_WORKER)))
    client.force_login(me)
    plans = section(in_english(client).get(reverse("my_work")).content.decode(), "plans")
    assert count_in(plans) == 2
    assert "1 plan is still a draft more than 30 days after the return." in plans
    lines = re.findall(r"<li.*?</li>", plans, re.S)
    assert len(lines) == 2
    assert "Late" in lines[0] and "late</strong>" in lines[0]
    assert "Recent" in lines[1] and "late</strong>" not in lines[1]
    assert "Agreed" not in plans


def test_recently_assigned_cases(work, make_user, client):
    me = make_user("awa", CASE_WORKER)
    new = work.returnee(me, family="Newcase")
    old = work.returnee(me, family="Oldcase")
    Returnee.objects.filter(pk=old.pk).update(assigned_on=old.assigned_on.replace(year=2024))
    client.force_login(me)
    recent = section(in_english(client).get(reverse("my_work")).content.decode(), "recent")
    assert "Newcase" in recent and "Oldcase" not in recent
    assert f'href="{new.get_absolute_url()}"' in recent


def test_a_resettlement_officer_sees_their_files_by_stage(work, make_user, client):
    me = make_user("leila", RESETTLEMENT_OFFICER)
    work.file(me, stage="referred")
    work.file(me, stage="interviewed")
    work.file(me, stage="arrived")  # closed
    work.file(make_user("omar", RESETTLEMENT_OFFICER))
    client.force_login(me)
    page = in_english(client).get(reverse("my_work")).content.decode()
    files = section(page, "my-files")
    assert count_in(files) == 2
    assert "overdue" not in page.split('id="main"')[1].split("my-files")[0]  # no follow-up sections
    assert "my-returnees" not in page


def test_long_sections_are_capped_with_a_link_to_the_rest(work, make_user, client, monkeypatch):
    monkeypatch.setattr(selectors, "ROWS", 3)
    me = make_user("awa", CASE_WORKER)
    for _ in range(5):
        work.returnee(me)
    client.force_login(me)
    cases = section(in_english(client).get(reverse("my_work")).content.decode(), "my-returnees")
    assert count_in(cases) == 5
    assert len(re.findall(r'<li><a href="/returns/\d+/', cases)) == 3
    assert f'<a href="{reverse("returns:returnee_list")}?owner=mine&amp;open=true">See all 5</a>' in cases


def test_my_work_needs_a_case_permission(client, make_user):
    client.force_login(make_user("nobody", None, staff=True))
    assert client.get(reverse("my_work")).status_code == 403


def _my_work_queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("my_work"))  # the first request of a session loads more (permissions are cached after)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("my_work")).status_code == 200
    return len(queries)


# The session and the user, the permission lookups (groups, user permissions), then per section: overdue and
# due soon (rows and count each), open cases (counts by stage, rows), recently assigned (rows, count), plans
# (rows, count, late count), referrals waiting for an answer (rows, count).
CASE_WORKER_QUERIES = 2 + 2 + 4 + 2 + 2 + 3 + 2 + SESSION_TOUCH_QUERIES


@pytest.mark.parametrize("scale", [1, 8])
def test_my_work_queries_do_not_grow_with_the_data(work, make_user, client, django_assert_num_queries, scale):
    me = make_user("awa", CASE_WORKER)
    for _ in range(scale):
        case = work.returnee(me)
        work.follow_up(case, -2, me)
        work.follow_up(case, 2, me)
        work.plan(case)
    client.force_login(me)
    client.get(reverse("my_work"))
    with django_assert_num_queries(CASE_WORKER_QUERIES):
        page = client.get(reverse("my_work")).content.decode()
    assert count_in(section(page, "overdue")) == scale


def test_a_supervisor_s_my_work_has_every_section_in_a_fixed_number_of_queries(work, make_user, client):
    boss = make_user("chief", SUPERVISOR)
    small = _my_work_queries(client, boss)
    for _ in range(6):
        work.file(boss)
        case = work.returnee(boss)
        work.follow_up(case, -1, boss)
        work.plan(case)
    assert _my_work_queries(client, boss) == small


# --- Landing after login ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "lands_on"), [
    (CASE_WORKER, "my_work"), (RESETTLEMENT_OFFICER, "my_work"), (SUPERVISOR, "my_work"),
    (DATA_OFFICER, "dashboard"), (ADMINISTRATOR, "dashboard"),
])
def test_the_login_form_leads_each_role_to_its_start_page(client, make_user, role, lands_on):
    make_user("someone", role)
    response = client.post(reverse("login"), {"username": "someone", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(lands_on)
    assert response.status_code == 200


def test_a_superuser_lands_on_the_dashboard(admin_client_logged):
    assert admin_client_logged.get(reverse("home"))["Location"] == reverse("dashboard")


def test_next_is_honoured_like_django_s_login_view(client, make_user):
    make_user("someone", CASE_WORKER)
    returnees = reverse("returns:returnee_list")
    response = client.post(f"{reverse('login')}?next={returnees}", {"username": "someone", "password": PASSWORD})
    assert response["Location"] == returnees
    # /home/ itself follows a `next` of the site, and refuses one elsewhere.
    assert client.get(reverse("home"), {"next": returnees})["Location"] == returnees
    assert client.get(reverse("home"), {"next": "https://evil.example/"})["Location"] == reverse("my_work")


def test_home_needs_a_login(client):
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_the_navigation_links_my_work_and_the_caseload_by_permission(client, make_user):
    client.force_login(make_user("awa", CASE_WORKER))
    nav = in_english(client).get(reverse("my_work")).content.decode().split("</nav>")[0]
    assert f'<a href="{reverse("my_work")}" aria-current="page">My work</a>' in nav
    assert reverse("dashboard") in nav and reverse("caseload") not in nav
    client.force_login(make_user("chief", SUPERVISOR))
    nav = client.get(reverse("my_work")).content.decode().split("</nav>")[0]
    assert f'<a href="{reverse("caseload")}">Caseload</a>' in nav


# --- Caseload -----------------------------------------------------------------------------------------------

def caseload_numbers(page: str) -> dict[str, dict[str, int]]:
    rows = {}
    for name, cells in re.findall(r'<th scope="row">([^<]+?)(?: <span[^>]*>[^<]*</span>)?</th>(.*?)</tr>', page, re.S):
        rows[name] = {key: int(n) for key, n in re.findall(r'data-key="(\w+)">(\d+)<', cells)}
    return rows


def test_the_caseload_equals_the_live_counts(work, make_user, client):
    awa, omar, leila = (make_user("awa", CASE_WORKER), make_user("omar", CASE_WORKER),
                        make_user("leila", RESETTLEMENT_OFFICER))
    make_user("data", DATA_OFFICER)  # owns nothing, not a work role: not listed
    for _ in range(3):
        case = work.returnee(awa)
        work.follow_up(case, -4, awa)
    work.plan(case)
    work.returnee(awa, stage="closed", closure_reason="lost_contact")  # closed: not counted
    case = work.returnee(omar)
    work.follow_up(case, 5, omar)  # not overdue
    work.file(leila)
    work.file(leila, stage="arrived")
    work.returnee()  # nobody's
    work.file()
    client.force_login(work.boss)
    response = in_english(client).get(reverse("caseload"))
    numbers = caseload_numbers(response.content.decode())
    assert set(numbers) == {"awa", "omar", "leila", "boss", "Nobody (unassigned)"}
    for user in (awa, omar, leila):
        assert numbers[user.username] == {
            "returnees": Returnee.objects.open_cases().filter(assigned_to=user).count(),
            "files": ResettlementFile.objects.open_cases().filter(assigned_to=user).count(),
            "overdue": FollowUp.objects.overdue().filter(assigned_to=user).count(),
            "plans": ReintegrationPlan.objects.awaiting_agreement().filter(returnee__assigned_to=user).count(),
        }
    assert numbers["awa"] == {"returnees": 3, "files": 0, "overdue": 3, "plans": 1}
    assert numbers["Nobody (unassigned)"]["returnees"] == 1 and numbers["Nobody (unassigned)"]["files"] == 1
    page = response.content.decode()
    assert f'href="{reverse("returns:returnee_list")}?assigned_to={awa.pk}&amp;open=true"' in page
    assert f'href="{reverse("returns:returnee_list")}?owner=unassigned&amp;open=true"' in page
    # Each number opens a list of exactly the cases it counts.
    for query, expected in ((f"assigned_to={awa.pk}&open=true", numbers["awa"]["returnees"]),
                            ("owner=unassigned&open=true", numbers["Nobody (unassigned)"]["returnees"])):
        listed = client.get(f'{reverse("returns:returnee_list")}?{query}')
        assert listed.context["table"].paginator.count == expected
    assert "(1 late)" in page


@pytest.mark.parametrize("scale", [1, 6])
def test_the_caseload_counts_in_a_fixed_number_of_queries(work, make_user, client, django_assert_num_queries,
                                                          scale):
    for n in range(scale):
        worker = make_user(f"w{n}", CASE_WORKER)
        case = work.returnee(worker)
        work.follow_up(case, -1, worker)
        work.plan(case)
        work.file(worker)
    client.force_login(work.boss)
    client.get(reverse("caseload"))
    # session, user, permissions (groups, user's), five grouped counts, the workers.
    with django_assert_num_queries(2 + 2 + 5 + 1 + SESSION_TOUCH_QUERIES):
        assert client.get(reverse("caseload")).status_code == 200


@pytest.mark.parametrize(("role", "status"), [(CASE_WORKER, 403), (RESETTLEMENT_OFFICER, 403),
                                              (DATA_OFFICER, 403), (SUPERVISOR, 200), (ADMINISTRATOR, 200)])
def test_the_caseload_is_for_supervisors_and_administrators(client, make_user, role, status):
    client.force_login(make_user("someone", role))
    assert client.get(reverse("caseload")).status_code == status
