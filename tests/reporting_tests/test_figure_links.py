"""A figure is a link only for someone who may open the list it leads to; for anyone else, plain text.

Every role sees the dashboard; a resettlement officer may not open returnees' or sessions' lists, a case
worker no refugees' list. Each role follows every figure link of the dashboard, the reconciliation page and
the admin index: none leads to a 403, and the figures the role may open are links.
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, CASE_WORKER, DATA_OFFICER, RESETTLEMENT_OFFICER
from oimsite.reporting import indicators
from oimsite.reporting.templatetags.drilldowns import may_open, required_permissions
from tests import helpers

pytestmark = pytest.mark.django_db

LISTS = {"returns": "/returns/", "reintegration": "/reintegration/", "resettlement": "/resettlement/"}
LINK = re.compile(r'<a href="(/(?:returns|reintegration|resettlement)/[^"]*)"')
# Which lists each role may open (README, "Roles and permissions").
MAY_OPEN = {
    CASE_WORKER: {"returns", "reintegration"},
    RESETTLEMENT_OFFICER: {"resettlement"},
    DATA_OFFICER: {"returns", "reintegration", "resettlement"},
    ADMINISTRATOR: {"returns", "reintegration", "resettlement"},
}


@pytest.fixture
def world():
    helpers.small_world(1)
    call_command("loaddata", "published_2024", verbosity=0)


def sign_in(client, django_user_model, role):
    user = django_user_model.objects.create_user("someone", password="Correct-Horse-Battery-9", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def linked_lists(html: str) -> dict[str, set[str]]:
    links: dict[str, set[str]] = {}
    for url in LINK.findall(html):
        url = url.replace("&amp;", "&")
        links.setdefault(url.split("/")[1], set()).add(url)
    return links


@pytest.mark.parametrize("role", list(MAY_OPEN))
@pytest.mark.parametrize("page", ["dashboard", "reconciliation", "admin:index"])
def test_each_role_sees_links_only_to_the_lists_it_may_open(client, django_user_model, world, role, page):
    sign_in(client, django_user_model, role)
    response = client.get(reverse(page))
    assert response.status_code == 200
    links = linked_lists(response.content.decode())
    # Links outside the figures (the navigation) lead to lists the role may open too.
    assert links and set(links) <= MAY_OPEN[role], links.keys()
    for url in sorted(set().union(*links.values())):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", list(MAY_OPEN))
def test_a_figure_the_role_may_not_open_is_plain_text(client, django_user_model, world, role):
    sign_in(client, django_user_model, role)
    html = client.get(reverse("dashboard")).content.decode()
    report = indicators.compute(2024)
    for key in ("avrr.returned", "resettlement.departed"):
        app = "resettlement" if key.startswith("resettlement") else "returns"
        linked = f'<a href="{report[key].url}" data-key="{key}">'.replace("&", "&amp;") in html
        plain = f'<span data-key="{key}">' in html
        assert (linked, plain) == ((True, False) if app in MAY_OPEN[role] else (False, True)), key


def test_may_open_reads_the_permission_of_the_view_behind_the_url(django_user_model):
    assert required_permissions("/returns/?sex=F") == ("returns.view_returnee",)
    assert required_permissions("/resettlement/refugees/?departed_in=2024") == ("resettlement.view_refugee",)
    assert required_permissions("/nowhere/") is None
    nobody = django_user_model.objects.create_user("nobody", password="Correct-Horse-Battery-9")
    assert not may_open("/returns/", nobody)
    assert not may_open("/nowhere/", nobody)
    nobody.groups.add(Group.objects.get(name=CASE_WORKER))
    nobody = django_user_model.objects.get(pk=nobody.pk)  # permissions are cached per user object
    assert may_open("/returns/?sex=F", nobody) and not may_open("/resettlement/refugees/", nobody)
