"""What oimsite/core/workarounds.py relies on in Django's private API, pinned: a Django upgrade that changes it
fails here, before the baseline loader writes wrong timestamps."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oimsite.core.workarounds import check_constraints_hold, insert_raw
from returns.models import Returnee, ReturnStatus
from tests.helpers import build_returnee

pytestmark = pytest.mark.django_db

STAMP = datetime(2024, 1, 2, 9, 30, tzinfo=UTC)


def fields() -> list:
    return [field for field in Returnee._meta.local_concrete_fields if not field.generated]


def stored(count: int, first_pk: int = 90_001) -> list[Returnee]:
    return [build_returnee(pk=first_pk + i, created_at=STAMP, updated_at=STAMP)
            for i in range(count)]


class Signals:
    """The pre_save and post_save signals sent for returnees while it is open."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bool]] = []

    def _pre(self, sender, raw=False, **kwargs) -> None:
        self.sent.append(("pre_save", raw))

    def _post(self, sender, raw=False, **kwargs) -> None:
        self.sent.append(("post_save", raw))

    def __enter__(self) -> "Signals":
        pre_save.connect(self._pre, sender=Returnee)
        post_save.connect(self._post, sender=Returnee)
        return self

    def __exit__(self, *exc) -> None:
        pre_save.disconnect(self._pre, sender=Returnee)
        post_save.disconnect(self._post, sender=Returnee)


def test_insert_raw_writes_the_values_as_they_stand_without_any_field_pre_save():
    insert_raw(Returnee, stored(3), fields=fields(), using="default")
    rows = list(Returnee.objects.order_by("pk").values_list("pk", "created_at", "updated_at"))
    assert rows == [(90_001 + i, STAMP, STAMP) for i in range(3)]


def test_insert_raw_writes_many_rows_in_one_statement_and_reads_nothing_back():
    records = stored(3)
    with CaptureQueriesContext(connection) as queries:
        insert_raw(Returnee, records, fields=fields(), using="default")
    assert len(queries.captured_queries) == 1
    sql = queries.captured_queries[0]["sql"]
    assert sql.lstrip().upper().startswith("INSERT") and "RETURNING" not in sql.upper()
    assert [r.pk for r in records] == [90_001, 90_002, 90_003]


def test_insert_raw_sends_no_signal_the_caller_sends_them():
    with Signals() as signals:
        insert_raw(Returnee, stored(2), fields=fields(), using="default")
    assert signals.sent == []


def test_the_public_bulk_create_would_overwrite_the_stored_values():
    """Why the workaround exists. When this fails, `bulk_create` keeps the values: the workaround can go."""
    before = timezone.now()
    Returnee.objects.bulk_create(stored(2))
    for record in Returnee.objects.all():
        assert record.updated_at >= before - timedelta(seconds=1) and record.updated_at != STAMP
        assert record.created_at != STAMP


def django_errors(instance, exclude=None) -> dict | None:
    """The errors of Django's own validation of the constraints, one query per check constraint."""
    try:
        models.Model.validate_constraints(instance, exclude=exclude)
    except ValidationError as error:
        return error.message_dict
    return None


def our_errors(instance, exclude=None) -> dict | None:
    try:
        instance.validate_constraints(exclude=exclude)
    except ValidationError as error:
        return error.message_dict
    return None


def check_queries(instance, exclude=None) -> int:
    """The queries of the constraints' validation that test conditions (Q.check's `_check`)."""
    with CaptureQueriesContext(connection) as queries:
        our_errors(instance, exclude)
    return sum("_check" in query["sql"] for query in queries)


def test_a_record_meeting_every_check_constraint_is_validated_in_one_query():
    returnee = build_returnee()
    checks = [c for c in Returnee._meta.constraints if isinstance(c, models.CheckConstraint)]
    assert len(checks) >= 2
    assert check_constraints_hold(returnee, checks, exclude=None, using="default")
    assert our_errors(returnee) is None and django_errors(returnee) is None
    assert check_queries(returnee) == 1


@pytest.mark.parametrize("overrides", [
    {"return_country": "MA"},  # host and return countries alike
    {"return_country": "MA", "departure_date": date(1990, 1, 1)},  # two rules broken
    {"status": ReturnStatus.OPEN},  # open with a departure date, and a stage of a returned case
    {"departure_date": None},  # returned without a departure date
    {"sex": "X", "closure_reason": "moved"},
])
def test_a_record_breaking_check_constraints_gets_djangos_errors(overrides):
    returnee = build_returnee(**overrides)
    checks = [c for c in Returnee._meta.constraints if isinstance(c, models.CheckConstraint)]
    assert not check_constraints_hold(returnee, checks, exclude=None, using="default")
    expected = django_errors(returnee)
    assert expected  # the case breaks a rule
    assert our_errors(returnee) == expected
    assert check_queries(returnee) == 1 + len(checks)  # the joint query, then each, to name the rules


def test_an_unknown_condition_counts_as_met_as_django_counts_it():
    # The departure rule compares with the date of birth: unknown (NULL) when the record has none yet.
    returnee = build_returnee(date_of_birth=None)
    assert django_errors(returnee) is None
    assert our_errors(returnee) is None
    assert check_queries(returnee) == 1


def test_a_constraint_on_an_excluded_field_is_skipped_as_django_skips_it():
    returnee = build_returnee(return_country="MA")
    exclude = {"return_country"}
    assert django_errors(returnee, exclude) is None
    assert our_errors(returnee, exclude) is None
    returnee = build_returnee(return_country="MA", departure_date=date(1990, 1, 1))
    assert our_errors(returnee, exclude) == django_errors(returnee, exclude)
