"""Accounts in the admin: only a superuser grants superuser or staff status, individual
permissions, or edits the groups' permissions; an Administrateur manages accounts within the roles of
accounts/roles.py (staff status follows the role), and cannot touch a superuser's account.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from accounts import roles
from accounts.roles import ADMINISTRATOR, CASE_WORKER, DATA_OFFICER
from tests.helpers import admin_form_data, in_english

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(make_user):
    return make_user("chef", ADMINISTRATOR)


@pytest.fixture
def admin_client(administrator) -> Client:
    client = in_english(Client())
    client.force_login(administrator)
    return client


def change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def user_form_data(client: Client, url: str) -> dict:
    """The change form as a browser posts it back; the dates' split widgets as two inputs each."""
    data = admin_form_data(client.get(url))
    for name in ("date_joined", "last_login"):
        value = data.pop(name, None)
        if value:
            data[f"{name}_0"], data[f"{name}_1"] = value[:10], value[11:19]
    return data


def test_an_administrator_cannot_make_itself_superuser(admin_client, administrator):
    url = change_url(administrator)
    data = user_form_data(admin_client, url)
    other_group = Group.objects.create(name="Everything")
    other_group.permissions.set(Permission.objects.all())
    data.update({
        "is_superuser": "on", "is_staff": "on",
        # Outside every role (accounts/roles.py EXCLUDED_PERMISSIONS): reachable only by these two routes.
        "user_permissions": [str(p.pk) for p in Permission.objects.filter(codename="delete_session")],
        "groups": [str(Group.objects.get(name=ADMINISTRATOR).pk), str(other_group.pk)],
    })
    admin_client.post(url, data)
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    assert not administrator.user_permissions.exists()
    assert not administrator.groups.filter(name="Everything").exists()
    assert not administrator.has_perm("sessions.delete_session")


def test_the_form_of_an_administrator_offers_the_roles_and_no_privilege(admin_client, make_user):
    worker = make_user("amina", CASE_WORKER)
    form = admin_client.get(change_url(worker)).context["adminform"].form
    assert {"is_superuser", "is_staff", "user_permissions"}.isdisjoint(form.fields)
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == set(roles.ROLE_PERMISSIONS)


def test_an_administrator_gives_a_role_and_staff_status_follows(admin_client, make_user):
    user = make_user("nouveau", staff=False)
    url = change_url(user)
    data = user_form_data(admin_client, url)
    data["groups"] = [str(Group.objects.get(name=DATA_OFFICER).pk)]
    assert admin_client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [DATA_OFFICER]
    # And without a role, no admin.
    data = user_form_data(admin_client, url)
    data.pop("groups", None)
    assert admin_client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert not user.is_staff


def test_an_administrator_creates_an_account(admin_client):
    response = admin_client.post(reverse("admin:auth_user_add"), {
        "username": "karima", "usable_password": "true", "password1": "Another-Long-Pass-42",
        "password2": "Another-Long-Pass-42", "is_superuser": "on", "is_staff": "on",
    })
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    created = get_user_model().objects.get(username="karima")
    assert not created.is_superuser and not created.is_staff


def test_an_administrator_cannot_change_a_superuser_account(admin_client, superuser):
    url = change_url(superuser)
    assert admin_client.get(url).status_code == 200  # view only
    response = admin_client.post(url, {"username": "root", "is_active": ""})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:auth_user_password_change", args=[superuser.pk])).status_code == 403
    assert admin_client.post(reverse("admin:auth_user_delete", args=[superuser.pk]), {"post": "yes"}).status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active


def test_only_a_superuser_edits_the_groups_permissions(admin_client, superuser):
    group = Group.objects.get(name=CASE_WORKER)
    url = reverse("admin:auth_group_change", args=[group.pk])
    every = [str(p.pk) for p in Permission.objects.all()]
    assert admin_client.get(url).status_code == 200  # the Administrateur sees what a role grants
    assert admin_client.post(url, {"name": CASE_WORKER, "permissions": every}).status_code == 403
    assert admin_client.post(reverse("admin:auth_group_add"), {"name": "Root", "permissions": every}).status_code == 403
    assert group.permissions.count() < len(every)
    assert not Group.objects.filter(name="Root").exists()
    root = Client()
    root.force_login(superuser)
    assert root.post(url, {"name": CASE_WORKER, "permissions": every[:3]}).status_code == 302


def test_a_superuser_still_grants_superuser_status(superuser, make_user):
    user = make_user("deputy", ADMINISTRATOR)
    client = Client()
    client.force_login(superuser)
    url = change_url(user)
    data = user_form_data(client, url)
    data["is_superuser"] = "on"
    assert client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert user.is_superuser


def test_a_role_added_to_roles_py_is_offered(admin_client, make_user, monkeypatch):
    """A new role needs no change here: the roles are read from roles.py."""
    monkeypatch.setitem(roles.ROLE_PERMISSIONS, "Coordinateur", ("accounts.view_dashboard",))
    supervisor = Group.objects.create(name="Coordinateur")
    user = make_user("sara", staff=False)
    url = change_url(user)
    form = admin_client.get(url).context["adminform"].form
    assert "Coordinateur" in set(form.fields["groups"].queryset.values_list("name", flat=True))
    data = user_form_data(admin_client, url)
    data["groups"] = [str(supervisor.pk)]
    assert admin_client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert user.is_staff


def test_names_with_control_characters_are_refused(admin_client, make_user):
    user = make_user("omar", CASE_WORKER)
    url = change_url(user)
    data = user_form_data(admin_client, url)
    data["first_name"], data["last_name"] = "Omar\u202e", "Ben\x1bAli"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "U+202E" in errors["first_name"][0] and "U+001B" in errors["last_name"][0]
