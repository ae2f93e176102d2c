"""Hostile values in every admin filter, search, ordering and URL parameter: never a 500.

For every registered ModelAdmin: each changelist parameter (the list filters' own parameters, the date
hierarchy's, search, ordering, page) with each hostile value; every admin URL pattern with a non-numeric,
huge or NUL id in each of its parameters; the autocomplete endpoint with hostile terms and names. A
response may refuse (400, 404, a redirect to the admin's "?e=1" page), never fail (500).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.test import Client

from tests.helpers import in_english, walk

pytestmark = pytest.mark.django_db

# What the attack sent, and the usual suspects: a NUL (PostgreSQL refuses it in any string), a number past
# every integer type, letters for an id, a float overflow, an impossible date, a long string, SQL.
HOSTILE = ["\x00", "abc\x00", "99999999999999999999999", "abc", "-1", "1e309", "2024-13-45", "x" * 3000,
           "' OR '1'='1", "%", "9999"]
HOSTILE_IDS = ["abc", "0", "-1", "99999999999999999999999", "\x00", "1.5", "%2F", "x" * 300]


@pytest.fixture
def superuser_client(superuser) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    return client


def changelist_parameters(client: Client, model_admin: admin.ModelAdmin) -> tuple[str, list[str]]:
    """The changelist's URL and every parameter it reads from the query string."""
    opts = model_admin.model._meta
    url = f"/admin/{opts.app_label}/{opts.model_name}/"
    response = client.get(url)
    assert response.status_code == 200, url
    changelist = response.context_data["cl"]
    names = [SEARCH_VAR, ORDER_VAR, PAGE_VAR]
    for spec in changelist.filter_specs:
        names += spec.expected_parameters()
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return url, list(dict.fromkeys(names))


def test_every_changelist_parameter_with_hostile_values(superuser_client, cases):
    failures = []
    requests = 0
    for model_admin in admin.site._registry.values():
        url, names = changelist_parameters(superuser_client, model_admin)
        assert names, url
        for name in names:
            for value in HOSTILE:
                response = superuser_client.get(url, {name: value})
                requests += 1
                if response.status_code >= 500:
                    failures.append((url, name, value[:20], response.status_code))
        if model_admin.date_hierarchy:
            field = model_admin.date_hierarchy
            # Valid one by one, impossible together: the last day of year 9999 has no next day.
            for combo in ({"year": "9999", "month": "12"}, {"year": "9999", "month": "12", "day": "31"},
                          {"year": "2024", "month": "99999999999999999999"}, {"year": "0"},
                          {"year": "2024", "month": "2", "day": "30"}):
                query = {f"{field}__{part}": value for part, value in combo.items()}
                response = superuser_client.get(url, query)
                requests += 1
                if response.status_code >= 500:
                    failures.append((url, str(combo), response.status_code))
    assert requests > 500
    assert not failures, failures[:30]


def _fill(route: str, values: list[str]) -> str:
    """The admin route with its parameters (path converters or regex groups) replaced by `values`."""
    route = route.replace("^", "").replace("$", "")
    parts = iter(values)
    return "/" + re.sub(r"<(?:\w+:)?\w+>|\((?:[^()]|\([^()]*\))*\)", lambda _match: next(parts), route)


def admin_urls(pks: dict[type, str]) -> Iterator[str]:
    """Each admin URL pattern with parameters, with each hostile id in each parameter (the others valid)."""
    for endpoint in walk():
        if not endpoint.route.startswith("admin/") or not endpoint.params:
            continue
        valid = pks.get(endpoint.admin_model, "1")
        for position in range(len(endpoint.params)):
            for hostile in HOSTILE_IDS:
                values = [quote(hostile, safe="") if i == position else valid
                          for i in range(len(endpoint.params))]
                yield _fill(endpoint.route, values)


def test_every_admin_url_with_non_numeric_huge_or_nul_ids(superuser_client, cases, superuser):
    pks = {type(obj): str(obj.pk) for obj in cases.values()}
    pks[type(superuser)] = str(superuser.pk)
    failures = []
    urls = list(admin_urls(pks))
    assert "/admin/returns/returnee/abc/history/" in urls
    assert f"/admin/returns/returnee/{cases['returnee'].pk}/history/abc/" in urls
    for url in urls:
        response = superuser_client.get(url)
        if response.status_code >= 500:
            failures.append((url[:120], response.status_code))
    assert len(urls) > 100
    assert not failures, failures[:30]


def test_the_autocomplete_with_hostile_terms_and_names(superuser_client, cases):
    fields = [(model_admin.model._meta, name) for model_admin in admin.site._registry.values()
              for name in model_admin.autocomplete_fields]
    assert fields
    failures = []
    for opts, field_name in fields:
        base = {"app_label": opts.app_label, "model_name": opts.model_name, "field_name": field_name}
        queries = [{**base, "term": value} for value in HOSTILE]
        queries += [{**base, key: value} for key in base for value in HOSTILE]
        queries += [{**base, "term": "a", "page": value} for value in HOSTILE]
        for query in queries:
            response = superuser_client.get("/admin/autocomplete/?" + urlencode(query))
            if response.status_code >= 500:
                failures.append((query, response.status_code))
    assert not failures, failures[:30]


@pytest.mark.parametrize("url", [
    "/admin/returns/returnee/abc/history/",
    "/admin/reintegration/supportsession/?phase=%00",
    "/admin/reintegration/supportsession/?kind=%00",
    "/admin/resettlement/resettlementfile/?stage=%00",
    "/admin/oimsite/publishedfigure/?unit=%00",
    "/admin/autocomplete/?app_label=reintegration&model_name=supportsession&field_name=returnee&term=%00",
    "/admin/accounts/auditevent/?timestamp__year=99999999999999999999999",
])
def test_the_urls_the_attack_found(superuser_client, url):
    assert superuser_client.get(url).status_code < 500


def test_a_version_id_that_is_not_a_number(superuser_client, cases):
    returnee = cases["returnee"]
    response = superuser_client.get(f"/admin/returns/returnee/{returnee.pk}/history/abc/")
    assert response.status_code == 404


def test_a_nul_in_any_query_string_is_refused_with_a_message(superuser_client, cases):
    for url in ["/returns/?q=%00", "/reintegration/?kind=%00", "/?year=2024%00", "/admin/?x%00=1"]:
        response = in_english(superuser_client).get(url)
        assert response.status_code == 400, url
        assert "contains a NUL character" in response.content.decode()
