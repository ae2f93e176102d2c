"""The detail-page panels registry: apps above a case's app add sections to its page."""

from datetime import date

import pytest
from django.test import RequestFactory

from oimsite.core import panels
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee
from tests import helpers


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(panels, "_PANELS", {})
    return panels


def test_panels_render_in_their_order_and_skip_those_with_nothing_to_show(registry, db, admin_user):
    case = helpers.returnee(departed=date(2024, 5, 10))
    request = RequestFactory().get("/")
    request.user = admin_user
    template = "casework/_timeline.html"
    registry.register("returns.Returnee", panels.Panel("b", template, lambda obj, req: {"entries": []}, order=2))
    registry.register("returns.returnee", panels.Panel("a", template, lambda obj, req: {"entries": []}, order=1))
    registry.register("returns.returnee", panels.Panel("hidden", template, lambda obj, req: None))
    assert [p.key for p in registry.panels_for(Returnee)] == ["a", "b", "hidden"]
    rendered = registry.render_panels(case, request)
    assert len(rendered) == 2 and all('class="case-timeline"' in html for html in rendered)
    # Registering a key again replaces it (AppConfig.ready() may run twice).
    registry.register("returns.returnee", panels.Panel("a", template, lambda obj, req: None))
    assert len(registry.render_panels(case, request)) == 1


def test_the_apps_register_their_panels_in_order():
    keys = {model: [p.key for p in panels.panels_for(model)] for model in (Returnee, ResettlementFile, Refugee)}
    # After the casework timeline: referrals and documents, then the sustainability scores.
    assert keys[Returnee] == ["casework.timeline", "reintegration.referrals", "documents.documents",
                              "reintegration.sustainability"]
    assert keys[ResettlementFile] == ["casework.timeline", "documents.documents"]
    assert keys[Refugee] == ["documents.documents"]
