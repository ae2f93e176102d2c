"""Admin changelists issue the same number of queries at two data sizes (no per-row or per-size query)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    ("admin:returns_returnee_changelist", ""),
    ("admin:returns_returnee_changelist", "?programme=from_morocco&year=2020&status__exact=departed"),
    ("admin:returns_returnee_changelist", "?q=RVA-20"),
    ("admin:reintegration_supportsession_changelist", ""),
    ("admin:reintegration_supportsession_changelist", "?phase__exact=post_return&year=2020"),
    ("admin:reintegration_supportsession_changelist", "?q=RMA"),
    ("admin:resettlement_resettlementfile_changelist", ""),
    ("admin:resettlement_resettlementfile_changelist", "?q=RST-20"),
    ("admin:resettlement_refugee_changelist", ""),
    ("admin:resettlement_refugee_changelist", "?nationality__exact=SY&q=a"),
]


def query_counts(client) -> dict[str, int]:
    counts = {}
    for name, query in CHANGELISTS:
        url = reverse(name) + query
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(captured)
    return counts


def test_changelist_query_counts_do_not_grow_with_the_data(admin_client_logged, baseline):
    small = query_counts(admin_client_logged)
    call_command("populate", scale="2", no_progress=True, stdout=io.StringIO())
    large = query_counts(admin_client_logged)
    assert large == small


@pytest.mark.parametrize(("name", "query", "expected"), [
    ("admin:returns_returnee_changelist", "", 10),
    ("admin:reintegration_supportsession_changelist", "", 8),
    ("admin:resettlement_resettlementfile_changelist", "", 9),
    ("admin:resettlement_refugee_changelist", "", 8),
])
def test_changelist_query_count_pinned(admin_client_logged, baseline, django_assert_num_queries, name, query,
                                      expected):
    # Session, user and its role lookups, the count, the page, the totals of the filter, the session touch;
    # returnees: + the vulnerability filter's choices; returnees and files: + the staff of the "assigned to"
    # filter. The count is capped at COUNT_CAP + 1 rows on both
    # databases; beyond the cap the totals' query gives way to the estimate (tests/perf_tests/test_pages_at_scale.py).
    with django_assert_num_queries(expected):
        assert admin_client_logged.get(reverse(name) + query).status_code == 200
