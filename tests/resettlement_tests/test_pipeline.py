"""The stage pipeline of the resettlement file list: files per stage, average and median days at the stage."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from resettlement.models import ResettlementFile
from tests import helpers
from tests.helpers import in_english

pytestmark = pytest.mark.django_db

TODAY = date(2025, 3, 1)


def file_at(stage: str, days: int | None) -> ResettlementFile:
    departed = date(2024, 6, 1) if stage in ("departed", "arrived") else None
    file = helpers.resettlement_file(departed=departed, stage=stage)
    ResettlementFile.objects.filter(pk=file.pk).update(
        stage_changed_on=None if days is None else TODAY - timedelta(days=days))
    return file


def test_counts_averages_and_medians_per_stage():
    for days in (2, 10, 30, 31, 100):
        file_at("referred", days)
    file_at("referred", None)  # counted, not timed
    for days in (4, 7):
        file_at("interviewed", days)
    file_at("arrived", 50)  # a closed stage: counted, not timed
    pipeline = {row.stage: row for row in ResettlementFile.objects.stage_pipeline(TODAY)}
    assert list(pipeline) == ["referred", "interviewed", "accepted", "ready", "departed", "arrived", "withdrawn"]
    referred = pipeline["referred"]
    assert (referred.count, referred.average_days, referred.median_days) == (6, 34.6, 30.0)
    interviewed = pipeline["interviewed"]
    assert (interviewed.count, interviewed.average_days, interviewed.median_days) == (2, 5.5, 5.5)
    assert (pipeline["accepted"].count, pipeline["accepted"].median) == (0, None)
    assert (pipeline["arrived"].count, pipeline["arrived"].average, pipeline["arrived"].median) == (1, None, None)
    assert sum(row.count for row in pipeline.values()) == ResettlementFile.objects.count()


@pytest.mark.parametrize("scale", [1, 5])
def test_the_pipeline_takes_two_queries(django_assert_num_queries, scale):
    for n in range(scale):
        file_at("referred", n)
        file_at("ready", n * 3)
    with django_assert_num_queries(2):
        ResettlementFile.objects.stage_pipeline(TODAY)


def test_the_file_list_shows_the_pipeline_with_links_to_each_stage(admin_client_logged):
    file_at("referred", 3)
    file_at("interviewed", 8)
    page = in_english(admin_client_logged).get(reverse("resettlement:file_list")).content.decode()
    pipeline = page.split('id="pipeline"')[1].split("</details>")[0]
    assert f'<a href="{reverse("resettlement:file_list")}?stage=interviewed">1</a>' in pipeline
    assert "Median days at the stage" in pipeline
    listed = admin_client_logged.get(reverse("resettlement:file_list"), {"stage": "interviewed"})
    assert listed.context["result_count"] == 1
