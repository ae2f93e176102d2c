import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.roles import ADMINISTRATOR, CASE_WORKER, DATA_OFFICER, RESETTLEMENT_OFFICER, ROLE_PERMISSIONS
from tests.helpers import PASSWORD


def perms(role):
    return {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name=role).permissions.all()}


def test_the_four_roles_exist_with_their_matrix(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)
    worker = perms(CASE_WORKER)
    assert {"returns.change_returnee", "reintegration.add_supportsession", "accounts.view_dashboard"} <= worker
    assert not {p for p in worker if p.startswith(("resettlement.", "auth."))}
    assert not {p for p in worker if ".delete_" in p or ".export_" in p}
    resettlement = perms(RESETTLEMENT_OFFICER)
    assert {"resettlement.change_resettlementfile", "resettlement.add_refugee"} <= resettlement
    assert not {p for p in resettlement if p.startswith(("returns.", "reintegration."))}
    data = perms(DATA_OFFICER)
    assert {"returns.export_returnee", "resettlement.export_refugee", "accounts.export_aggregate"} <= data
    assert all(p.split(".")[1].startswith(("view_", "export_")) for p in data)
    admin = perms(ADMINISTRATOR)
    assert {"auth.change_user", "auth.add_group", "returns.delete_returnee", "accounts.view_auditevent"} <= admin
    # Nobody edits history or the audit log.
    for role in ROLE_PERMISSIONS:
        assert not {p for p in perms(role) if "historical" in p}
    assert "accounts.view_auditevent" not in data


def test_create_user_command_puts_a_staff_user_in_the_role(db, monkeypatch):
    monkeypatch.setenv("OIM_NEW_USER_PASSWORD", PASSWORD)
    call_command("create_user", "amina", "--role", CASE_WORKER)
    user = get_user_model().objects.get(username="amina")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [CASE_WORKER]
    assert user.check_password(PASSWORD)


def test_create_user_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("OIM_NEW_USER_PASSWORD", "password")
    from django.utils import translation

    with translation.override("en"), pytest.raises(CommandError, match="This password is too short"):
        call_command("create_user", "weak", "--role", CASE_WORKER)
    assert not get_user_model().objects.filter(username="weak").exists()


@pytest.mark.parametrize(("role", "shown", "hidden"), [
    (CASE_WORKER, ["/returns/", "/reintegration/"], ["/resettlement/"]),
    (RESETTLEMENT_OFFICER, ["/resettlement/"], ["/returns/", "/reintegration/"]),
    (DATA_OFFICER, ["/returns/", "/reintegration/", "/resettlement/"], []),
])
def test_navigation_shows_only_what_the_role_may_open(db, make_user, role, shown, hidden):
    client = Client()
    client.force_login(make_user("nav", role))
    html = client.get("/").content.decode()
    nav = html[html.index("<nav"):html.index("</nav>")]
    for url in shown:
        assert f'href="{url}"' in nav
        assert client.get(url).status_code == 200
    for url in hidden:
        assert f'href="{url}"' not in nav
        assert client.get(url).status_code == 403
