"""The baseline holds the rules of issue 18: each 2024 departure with a complete checklist, each partner's support
naming the partner and following a referral sent with consent to a partner under agreement."""

from __future__ import annotations

import pytest
from django.db.models import F, Q

from documents.models import Document
from oimsite.baseline.departures import PLACEHOLDER_PDF, placeholder_files
from reintegration.models import Referral, SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee, travel_blockers

pytestmark = pytest.mark.django_db


def test_every_2024_return_has_a_complete_checklist_with_its_declaration(baseline):
    returned = Returnee.objects.departed().filter(departure_date__year=2024).select_related(
        "checklist", "checklist__declaration_document")
    assert returned.count() > 4000
    blocked = [(r.case_number, travel_blockers(getattr(r, "checklist", None), r.departure_date)) for r in returned
               if travel_blockers(getattr(r, "checklist", None), r.departure_date)]
    assert blocked == []
    late = returned.filter(Q(checklist__declaration_signed_on__gt=F("departure_date"))
                           | Q(checklist__fitness_checked_on__gt=F("departure_date"))
                           | Q(checklist__reception_confirmed_on__gt=F("departure_date")))
    assert not late.exists()
    assert not Document.objects.exclude(kind="voluntariness").exists()
    assert set(Document.objects.values_list("content_type", flat=True)) == {"application/pdf"}


def test_every_2024_resettlement_departure_has_its_checklist(baseline):
    files = ResettlementFile.objects.departed().filter(departure_date__year=2024)
    assert files.exists() and not files.filter(travel_booked_on__isnull=True).exists()
    missing = [r for r in Refugee.objects.filter(file__in=files).select_related("file") if r.departure_missing()]
    assert missing == []


def test_partner_support_names_the_partner_and_follows_a_referral_with_consent(baseline):
    partner_sessions = SupportSession.objects.filter(provider="partner")
    assert partner_sessions.exists() and not partner_sessions.filter(partner__isnull=True).exists()
    assert not SupportSession.objects.exclude(provider="partner").filter(partner__isnull=False).exists()
    referrals = Referral.objects.select_related("returnee", "partner")
    assert referrals.count() == partner_sessions.filter(phase="post_return").count()
    for referral in referrals:
        assert referral.returnee.consent_scope == "data_sharing"
        assert referral.partner.cannot_receive_data(referral.sent_on) is None
        referral.full_clean()


def test_load_baseline_writes_the_placeholder_files_once(document_storage):
    names = ["baseline/declaration-1.pdf", "baseline/declaration-2.pdf"]
    assert placeholder_files(document_storage, names) == 2
    assert placeholder_files(document_storage, names) == 0
    with document_storage.open(names[0]) as handle:
        assert handle.read() == PLACEHOLDER_PDF
