"""In a real Chromium: after logout, the back button shows the login page, not the data seen before."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from returns.models import Returnee
from tests.helpers import PASSWORD


@pytest.mark.browser
@pytest.mark.parametrize("width", [1366, 390])
def test_after_logout_the_back_button_does_not_show_the_data_again(page, live_server, transactional_db,
                                                                   django_user_model, width):
    page.set_viewport_size({"width": width, "height": 900})
    django_user_model.objects.create_superuser("officer", "officer@example.org", PASSWORD)
    returnee = Returnee.objects.create(
        case_number="RVA-2024-04242", given_name="Mariama", family_name="Secretname", sex="F",
        date_of_birth=date(1990, 1, 1), nationality="SN", host_country="MA", return_country="SN",
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}{reverse('returns:returnee_detail', args=[returnee.pk])}")
    assert "Secretname" in page.content()

    page.locator("form.logout-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login/"))
    page.go_back()
    page.wait_for_load_state()
    assert "Secretname" not in page.content()
    assert "/login/" in page.url
