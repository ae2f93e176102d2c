"""Partners and referrals: consent or a logged override, a partner's data-sharing agreement, the status dates,
waiting referrals on My work, and a partner's support naming the partner."""

from __future__ import annotations

import html
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent, AuditEventKind
from accounts.roles import CASE_WORKER
from reintegration.models import Referral, SupportSession
from reintegration.services import save_referral
from tests import helpers as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield

ADD_URL = "/admin/reintegration/referral/add/"


def consenting(**extra):
    return f.returnee(consent_scope="data_sharing", consent_date=date(2024, 4, 1), **extra)


def messages_of(exc: pytest.ExceptionInfo) -> list[str]:
    return [m for messages in exc.value.message_dict.values() for m in messages]


def referral_data(person, partner, **extra) -> dict:
    data = {"returnee": str(person.pk), "partner": str(partner.pk), "service": "health",
            "sent_on": "01/06/2024", "status": "sent", "outcome": "", "override_reason": "",
            "accepted_on": "", "declined_on": "", "completed_on": "", "revoked_on": ""}
    data.update(extra)
    return data


def test_a_referral_with_data_sharing_consent_is_sent_through_the_admin(role_client):
    person, partner = consenting(), f.partner()
    client = f.in_english(role_client(CASE_WORKER))
    response = client.post(ADD_URL, referral_data(person, partner))
    assert response.status_code == 302, response.context["adminform"].form.errors
    referral = Referral.objects.get()
    assert (referral.returnee, referral.partner, referral.sent_by, referral.status) == (
        person, partner, client.user, "sent")
    assert not AuditEvent.objects.filter(kind=AuditEventKind.REFERRAL_OVERRIDE).exists()


@pytest.mark.parametrize("scope", ["", "assistance", "follow_up"])
def test_a_referral_without_data_sharing_consent_is_refused_and_nothing_is_written(role_client, scope):
    extra = {"consent_scope": scope, "consent_date": date(2024, 4, 1)} if scope else {}
    person, partner = f.returnee(**extra), f.partner()
    response = f.in_english(role_client(CASE_WORKER)).post(ADD_URL, referral_data(person, partner))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "This returnee's consent does not cover sharing data with partners" in page
    assert not Referral.objects.exists()


def test_an_override_needs_a_reason_and_is_written_to_the_audit_log(role_client):
    person, partner = f.returnee(), f.partner()
    client = f.in_english(role_client(CASE_WORKER))
    response = client.post(ADD_URL, referral_data(person, partner, consent_override="on"))
    assert "Give the reason for sending this referral without data-sharing consent." in response.content.decode()
    assert not Referral.objects.exists() and not AuditEvent.objects.filter(kind="referral_override").exists()
    response = client.post(ADD_URL, referral_data(person, partner, consent_override="on",
                                                  override_reason="Urgent medical care; consent by phone pending."))
    assert response.status_code == 302
    referral = Referral.objects.get()
    event = AuditEvent.objects.get(kind=AuditEventKind.REFERRAL_OVERRIDE)
    assert event.user == client.user
    assert event.detail["referral"] == referral.pk and event.detail["returnee"] == person.case_number
    assert event.detail["reason"] == "Urgent medical care; consent by phone pending."


def test_the_service_saves_an_override_with_its_audit_entry():
    referral = Referral(returnee=f.returnee(), partner=f.partner(), service="health", sent_on=date(2024, 6, 1),
                        consent_override=True, override_reason="Protection case")
    referral.full_clean()
    save_referral(referral, by=None)
    assert AuditEvent.objects.filter(kind=AuditEventKind.REFERRAL_OVERRIDE, detail__referral=referral.pk).exists()


@pytest.mark.parametrize(("partner_fields", "message"), [
    ({"agreement_signed_on": date(2022, 1, 1), "agreement_expires_on": date(2024, 1, 31)},
     "This partner's data-sharing agreement expired on 31/01/2024"),
    ({"agreement_signed_on": None, "agreement_expires_on": None},
     "This partner has no data-sharing agreement in force on 01/06/2024"),
    ({"active": False}, "This partner is no longer active."),
])
def test_a_partner_without_an_agreement_in_force_cannot_receive_a_referral(partner_fields, message):
    referral = Referral(returnee=consenting(), partner=f.partner(**partner_fields), service="health",
                        sent_on=date(2024, 6, 1))
    with pytest.raises(ValidationError) as exc:
        referral.full_clean()
    assert any(m.startswith(message) for m in messages_of(exc))


def test_a_service_the_partner_does_not_offer_is_refused():
    referral = Referral(returnee=consenting(), partner=f.partner(name="Centre Amal", services=["health"]),
                        service="cash", sent_on=date(2024, 6, 1))
    with pytest.raises(ValidationError) as exc:
        referral.full_clean()
    assert "Centre Amal does not offer this service (it offers: Health support)." in messages_of(exc)


def test_updating_an_old_referral_is_not_held_to_the_partner_agreement_again():
    partner = f.partner()
    referral = Referral(returnee=consenting(), partner=partner, service="health", sent_on=date(2024, 6, 1))
    referral.full_clean()
    referral.save()
    partner.agreement_expires_on = date(2024, 7, 1)
    partner.save()
    referral = Referral.objects.get()
    referral.status, referral.accepted_on, referral.completed_on = "completed", date(2024, 6, 5), date(2024, 8, 1)
    referral.outcome = "Treated."
    referral.full_clean()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"status": "accepted"}, "accepted_on", "Give this date for a referral that is “Accepted”."),
    ({"status": "completed", "accepted_on": date(2024, 6, 2), "completed_on": date(2024, 6, 9)}, "outcome",
     "Describe the outcome of the completed referral."),
    ({"declined_on": date(2024, 6, 3)}, "declined_on",
     "Only a referral that is declined has this date: clear it or change the status."),
    ({"status": "revoked", "revoked_on": date(2024, 5, 1)}, "revoked_on",
     "This date cannot be before the referral was sent."),
    ({"sent_on": timezone.localdate() + timedelta(days=3)}, "sent_on", "This date cannot be in the future."),
])
def test_status_dates(fields, field, message):
    values = {"returnee": consenting(), "partner": f.partner(), "service": "health", "sent_on": date(2024, 6, 1)}
    values.update(fields)
    with pytest.raises(ValidationError) as exc:
        Referral(**values).full_clean()
    assert message in exc.value.message_dict[field]


def test_referrals_waiting_more_than_14_days_are_on_the_senders_my_work(role_client, django_user_model):
    client = role_client(CASE_WORKER)
    other = django_user_model.objects.create_user("other")
    today = timezone.localdate()
    partner, person = f.partner(), consenting()

    def sent(days_ago: int, by, status: str = "sent") -> Referral:
        on = today - timedelta(days=days_ago)
        extra = {"accepted_on": on} if status == "accepted" else {}
        return Referral.objects.create(returnee=person, partner=partner, service="health", sent_on=on, sent_by=by,
                                       status=status, **extra)

    waiting = sent(15, client.user)
    others = [sent(14, client.user),  # not yet more than 14 days
              sent(30, client.user, "accepted"), sent(30, other)]
    assert list(Referral.objects.pending_over(14).sent_by(client.user)) == [waiting]
    page = f.in_english(client).get(reverse("my_work")).content.decode()
    assert "My referrals waiting for an answer for more than 14 days" in page
    assert waiting.get_absolute_url() in page
    assert not [r for r in others if r.get_absolute_url() in page]


def test_a_partners_support_names_the_partner_but_old_sessions_stay_as_they_were():
    person = f.returnee()
    plan = person.plans.create(status="agreed", agreed_on=date(2024, 5, 11))
    assert plan.pk
    session = f.build_session(person, provider="partner", kind="counselling")
    with pytest.raises(ValidationError) as exc:
        session.full_clean()
    assert exc.value.message_dict["partner"] == ["Name the partner organisation that gave this support."]
    session.partner = f.partner()
    session.full_clean()
    other = f.build_session(person, provider="iom_origin", kind="counselling", partner=session.partner)
    with pytest.raises(ValidationError) as exc:
        other.full_clean()
    assert "choose “Partner”" in exc.value.message_dict["provider"][0]
    # Recorded before partners existed: still valid when another field changes.
    old = f.session(person, on=date(2024, 6, 1), provider="partner", kind="counselling")
    old = SupportSession.objects.get(pk=old.pk)
    old.mode = "virtual"
    old.full_clean()


def test_partner_and_referral_pages(role_client):
    referral = Referral.objects.create(returnee=consenting(), partner=f.partner(name="Caritas Rabat"),
                                       service="health", sent_on=date(2024, 6, 1))
    client = f.in_english(role_client(CASE_WORKER))
    assert "Caritas Rabat" in client.get(reverse("reintegration:referral_list")).content.decode()
    assert "Caritas Rabat" in client.get(referral.get_absolute_url()).content.decode()
    assert "Health support" in client.get(referral.partner.get_absolute_url()).content.decode()
    page = client.get(referral.returnee.get_absolute_url()).content.decode()
    assert "Referrals to partners" in page and referral.get_absolute_url() in page
