"""In Chromium, in French, on a phone (390 px): a case worker takes the sustainability survey at a done follow-up
(a draft first, then completed), and reads the scores on the returnee's page and on the dashboard."""

from __future__ import annotations

import os
import re
from datetime import date

import pytest

from accounts.roles import CASE_WORKER
from reintegration.models import FollowUp, SustainabilitySurvey
from tests import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_case_worker_takes_the_survey_on_a_phone_and_reads_the_result(page, live_server, make_user,
                                                                       artifacts_dir):
    make_user("worker", CASE_WORKER)
    person = helpers.returnee(to="SN", departed=date(2024, 5, 10))
    FollowUp.objects.all().delete()
    follow_up = FollowUp.objects.create(returnee=person, kind="home", due_date=date(2024, 8, 10),
                                        done_on=date(2024, 8, 10), outcome="reached")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "worker")
    page.fill("input[name=password]", helpers.PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/reintegration/follow-ups/{follow_up.pk}/")
    page.get_by_role("link", name="Mener l’enquête de durabilité").click()
    page.wait_for_url(re.compile(r"/survey/$"))
    assert no_horizontal_scroll(page)
    questions = page.locator("fieldset.survey-question")
    assert questions.count() == 15
    page.fill("input[name=date]", "2024-08-10")
    questions.nth(0).locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Enregistrer comme brouillon").click()
    page.wait_for_load_state()
    assert "enregistrée comme brouillon" in page.locator(".messages").inner_text()
    assert SustainabilitySurvey.objects.get().status == "draft"
    # Completing with questions unanswered is refused, on the questions.
    page.get_by_role("button", name="Compléter et noter").click()
    page.wait_for_load_state()
    assert "Répondez à cette question pour compléter l’enquête" in page.locator("fieldset.has-error").first.inner_text()
    # Answer everything: the best answer to each economic and social question, the worst to the psychosocial.
    for i in range(15):
        radios = questions.nth(i).locator("input[type=radio]")
        (radios.first if i < 10 else radios.last).check()
    page.get_by_role("button", name="Compléter et noter").click()
    page.wait_for_url(re.compile(r"/reintegration/surveys/\d+/$"))
    assert "L’enquête est complète et notée." in page.locator(".messages").inner_text()
    scores = page.locator("table.scores-table").inner_text()
    # economic 1, social 1, psychosocial 0; composite (1 + 1 + 0) / 3 = 0.667.
    assert "0,67" in scores and no_horizontal_scroll(page)
    # The committed screenshot is rewritten only when asked (OIM_UPDATE_SCREENSHOTS=1), as the Arabic ones are.
    folder = "docs/screenshots" if os.environ.get("OIM_UPDATE_SCREENSHOTS") == "1" else str(artifacts_dir)
    page.screenshot(path=f"{folder}/sustainability-survey-390.png", full_page=True)

    page.goto(f"{live_server.url}/returns/{person.pk}/")
    section = page.locator("section.sustainability-scores").inner_text()
    assert "Durabilité de la réintégration" in section
    assert "Dernier score composite 0,67 : au seuil de réintégration durable ou au-dessus (0,50)." in section
    assert no_horizontal_scroll(page)

    page.goto(f"{live_server.url}/?year=2024")
    card = page.locator(".figure-card[data-key='sustainability.sustainable']")
    assert card.locator(".figure-value").inner_text().startswith("1")
    card.locator("a").click()
    page.wait_for_url(re.compile(r"/reintegration/surveys/\?"))
    assert person.case_number in page.locator("table.data-table").inner_text()
