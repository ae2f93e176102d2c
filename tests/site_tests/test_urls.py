"""Nothing is visible without logging in."""

import pytest
from django.urls import reverse

from tests.helpers import in_english

pytestmark = pytest.mark.django_db

SITE_PAGES = [
    "dashboard",
    "returns:returnee_list",
    "reintegration:session_list",
    "resettlement:file_list",
    "resettlement:refugee_list",
]


@pytest.mark.parametrize("name", SITE_PAGES)
def test_anonymous_is_sent_to_the_login_page(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_login_page_is_public_and_in_french(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="fr" dir="ltr">' in response.content.decode()


def test_admin_needs_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_wrong_password_is_refused_with_a_message(client, superuser):
    response = in_english(client).post(reverse("login"), {"username": "root", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_then_logout(client, superuser):
    response = client.post(reverse("login"), {"username": "root", "password": "Correct-Horse-Battery-9"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")  # each user's start page: the dashboard for a superuser
    assert client.get(reverse("home"))["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_language_can_be_switched_to_english(client):
    assert "Se connecter" in client.get(reverse("login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    content = client.get(reverse("login")).content.decode()
    assert '<html lang="en" dir="ltr">' in content
    assert "Log in" in content
