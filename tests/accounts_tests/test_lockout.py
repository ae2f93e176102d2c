"""The login lockout rules (accounts/lockout.py).

A username from one address is locked after AXES_FAILURE_LIMIT failures; an address alone, whatever the
usernames tried from it, only after the much higher OIM_LOCKOUT_ADDRESS_FAILURE_LIMIT (password spraying).
A successful login clears the failures of that username from that address, and nobody else's.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from accounts.roles import CASE_WORKER
from tests.helpers import PASSWORD, in_english

OFFICE = "10.1.1.1"
ELSEWHERE = "10.2.2.2"


def _client(address: str = OFFICE) -> Client:
    return in_english(Client(REMOTE_ADDR=address))


def _login(client: Client, username: str, password: str = "wrong-password-123", url: str = "/login/"):
    return client.post(url, {"username": username, "password": password})


def test_the_limits_are_those_the_readme_states():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.OIM_LOCKOUT_ADDRESS_FAILURE_LIMIT >= 10 * settings.AXES_FAILURE_LIMIT
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"], "ip_address"]


@pytest.mark.parametrize("url", ["/login/", "/admin/login/"])
def test_one_persons_typos_do_not_lock_out_a_colleague_at_the_same_address(db, make_user, url):
    make_user("amina", CASE_WORKER)
    typist = _client()
    for _attempt in range(4):
        assert _login(typist, "nobody-here", url=url).status_code == 200
    assert _login(typist, "nobody-here", url=url).status_code == 429  # that name, from here: locked
    colleague = _client()
    response = _login(colleague, "amina", PASSWORD, url=url)
    assert response.status_code == 302
    assert "_auth_user_id" in colleague.session


def test_a_username_locked_at_one_address_can_still_log_in_from_another(db, make_user):
    make_user("amina", CASE_WORKER)
    at_office = _client(OFFICE)
    for _attempt in range(5):
        _login(at_office, "amina")
    assert _login(at_office, "amina", PASSWORD).status_code == 429
    assert _login(_client(ELSEWHERE), "amina", PASSWORD).status_code == 302


def test_a_success_resets_only_the_failures_of_that_username(db, make_user):
    """4 wrong passwords for cw, then a correct login as cw2 from the same address, repeated: cw is locked."""
    make_user("cw", CASE_WORKER)
    make_user("cw2", CASE_WORKER)
    attacker = _client()
    for _round in range(2):
        for _attempt in range(4):
            _login(attacker, "cw")
        helper = _client()
        assert _login(helper, "cw2", PASSWORD).status_code == 302
        helper.post("/logout/")
        # cw's failures are still counted; cw2 had none to clear.
        assert AccessAttempt.objects.filter(username="cw").exists()
    # 8 failures on cw from this address: locked, even with the right password.
    response = _login(attacker, "cw", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in attacker.session


def test_a_success_clears_that_usernames_failures_from_that_address_only(db, make_user):
    make_user("cw", CASE_WORKER)
    for _attempt in range(3):
        _login(_client(OFFICE), "cw")
        _login(_client(ELSEWHERE), "cw")
        _login(_client(OFFICE), "someone-else")
    assert _login(_client(OFFICE), "cw", PASSWORD).status_code == 302
    remaining = set(AccessAttempt.objects.values_list("username", "ip_address"))
    assert remaining == {("cw", ELSEWHERE), ("someone-else", OFFICE)}


def test_an_address_spraying_passwords_is_locked_at_its_own_higher_limit(db, make_user):
    make_user("amina", CASE_WORKER)
    limit = settings.OIM_LOCKOUT_ADDRESS_FAILURE_LIMIT
    sprayer = _client()
    # Two tries per name: no username reaches its own limit, the address counts every one.
    for attempt in range(limit - 1):
        response = _login(sprayer, f"user{attempt // 2}")
        assert response.status_code == 200, attempt
    response = _login(sprayer, "another-name")
    assert response.status_code == 429
    assert "from this address, whatever the usernames" in response.content.decode()
    # Everyone at that address is refused now, the right password too; other addresses are not.
    assert _login(_client(), "amina", PASSWORD).status_code == 429
    assert _login(_client(ELSEWHERE), "amina", PASSWORD).status_code == 302


def test_the_lockout_page_names_the_rule_that_locked(db, make_user):
    client = _client()
    for _attempt in range(5):
        response = _login(client, "amina")
    assert response.status_code == 429
    text = response.content.decode()
    assert "After 5 failed attempts with this username from this address" in text
    assert "blocked for 30 minutes" in text
