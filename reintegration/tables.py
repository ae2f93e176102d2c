from __future__ import annotations

import django_tables2 as tables
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from oimsite.lists.columns import FullNameColumn, ShortDateColumn
from oimsite.lists.owners import OwnerColumn

from .models import FollowUp, Partner, Referral, ReintegrationPlan, SupportSession, SustainabilitySurvey


class SupportSessionTable(tables.Table):
    # Every sort ends with the key, so that rows with equal values keep one order from page to page.
    date = ShortDateColumn(linkify=True, order_by=("date", "pk"))
    case_number = tables.Column(accessor="returnee__case_number", verbose_name=capfirst(_("case number")),
                                linkify=lambda record: record.returnee.get_absolute_url(),
                                order_by=("returnee__case_number", "pk"))
    returnee_name = FullNameColumn(accessor="returnee__family_name", verbose_name=capfirst(_("returnee")),
                                  order_by=("returnee__family_name", "returnee__given_name", "pk"))
    return_country = tables.Column(accessor="returnee__return_country", verbose_name=capfirst(_("country of return")),
                                   order_by=("returnee__return_country", "pk"))
    phase = tables.Column(order_by=("phase", "pk"))
    kind = tables.Column(order_by=("kind", "pk"))
    mode = tables.Column(order_by=("mode", "pk"))
    provider = tables.Column(order_by=("provider", "pk"))
    enhanced = tables.BooleanColumn(order_by=("enhanced", "pk"))

    class Meta:
        model = SupportSession
        fields = ("date", "case_number", "returnee_name", "return_country", "phase", "kind", "mode", "provider",
                  "enhanced")
        order_by = ("-date",)
        attrs = {"class": "data-table"}
        empty_text = _("No session matches these filters.")


class SupportSessionFullExportTable(SupportSessionTable):
    """The full export: the list's columns and the session's other fields."""

    notes = tables.Column()
    created_at = tables.DateTimeColumn(short=True)
    updated_at = tables.DateTimeColumn(short=True)

    class Meta(SupportSessionTable.Meta):
        fields = (*SupportSessionTable.Meta.fields, "notes", "created_at", "updated_at")
        sequence = fields


class FollowUpTable(tables.Table):
    due_date = ShortDateColumn(linkify=True, order_by=("due_date", "pk"))
    case_number = tables.Column(accessor="returnee__case_number", verbose_name=capfirst(_("case number")),
                                linkify=lambda record: record.returnee.get_absolute_url(),
                                order_by=("returnee__case_number", "pk"))
    returnee_name = FullNameColumn(accessor="returnee__family_name", verbose_name=capfirst(_("returnee")),
                                  order_by=("returnee__family_name", "returnee__given_name", "pk"))
    kind = tables.Column(order_by=("kind", "pk"))
    assigned_to = OwnerColumn()
    done_on = ShortDateColumn(order_by=("done_on", "pk"))
    outcome = tables.Column(order_by=("outcome", "pk"))
    overdue = tables.BooleanColumn(accessor="is_overdue", verbose_name=capfirst(_("overdue")), orderable=False)

    class Meta:
        model = FollowUp
        fields = ("due_date", "case_number", "returnee_name", "kind", "assigned_to", "done_on", "outcome", "overdue")
        order_by = ("due_date",)
        attrs = {"class": "data-table"}
        empty_text = _("No follow-up matches these filters.")


class ReintegrationPlanTable(tables.Table):
    case_number = tables.Column(accessor="returnee__case_number", verbose_name=capfirst(_("case number")),
                                linkify=lambda record: record.get_absolute_url(),
                                order_by=("returnee__case_number", "pk"))
    returnee_name = FullNameColumn(accessor="returnee__family_name", verbose_name=capfirst(_("returnee")),
                                  order_by=("returnee__family_name", "returnee__given_name", "pk"))
    departure_date = ShortDateColumn(accessor="returnee__departure_date", verbose_name=capfirst(_("departure date")),
                                     order_by=("returnee__departure_date", "pk"))
    status = tables.Column(order_by=("status", "pk"))
    agreed_on = ShortDateColumn(order_by=("agreed_on", "pk"))
    closed_on = ShortDateColumn(order_by=("closed_on", "pk"))
    late = tables.BooleanColumn(accessor="is_late", verbose_name=capfirst(_("late")), orderable=False)
    owner = OwnerColumn(accessor="returnee__assigned_to", order_by=("returnee__assigned_to__username", "pk"))

    class Meta:
        model = ReintegrationPlan
        fields = ("case_number", "returnee_name", "departure_date", "status", "agreed_on", "closed_on", "late",
                  "owner")
        attrs = {"class": "data-table"}
        empty_text = _("No plan matches these filters.")


class PartnerTable(tables.Table):
    name = tables.Column(linkify=True, order_by=("name", "pk"))
    kind = tables.Column(order_by=("kind", "pk"))
    country = tables.Column(order_by=("country", "pk"))
    city = tables.Column(order_by=("city", "pk"))
    services = tables.Column(orderable=False)
    agreement_expires_on = ShortDateColumn(order_by=("agreement_expires_on", "pk"))
    active = tables.BooleanColumn(order_by=("active", "pk"))

    class Meta:
        model = Partner
        fields = ("name", "kind", "country", "city", "services", "agreement_expires_on", "active")
        order_by = ("name",)
        attrs = {"class": "data-table"}
        empty_text = _("No partner matches these filters.")

    def render_services(self, record: Partner) -> str:
        return ", ".join(record.service_labels())


class ReferralTable(tables.Table):
    sent_on = ShortDateColumn(linkify=True, order_by=("sent_on", "pk"))
    case_number = tables.Column(accessor="returnee__case_number", verbose_name=capfirst(_("case number")),
                                linkify=lambda record: record.returnee.get_absolute_url(),
                                order_by=("returnee__case_number", "pk"))
    partner = tables.Column(linkify=lambda record: record.partner.get_absolute_url(),
                            order_by=("partner__name", "pk"))
    service = tables.Column(order_by=("service", "pk"))
    status = tables.Column(order_by=("status", "pk"))
    sent_by = OwnerColumn(verbose_name=capfirst(_("sent by")))
    consent_override = tables.BooleanColumn(order_by=("consent_override", "pk"))

    class Meta:
        model = Referral
        fields = ("sent_on", "case_number", "partner", "service", "status", "sent_by", "consent_override")
        order_by = ("-sent_on",)
        attrs = {"class": "data-table"}
        empty_text = _("No referral matches these filters.")


class ScoreColumn(tables.Column):
    """A score from 0 to 1, two decimals in the reader's locale; "—" for a draft."""

    def render(self, value):
        return formats.number_format(value, decimal_pos=2)


class SustainabilitySurveyTable(tables.Table):
    date = ShortDateColumn(linkify=True, order_by=("date", "pk"))
    case_number = tables.Column(accessor="returnee__case_number", verbose_name=capfirst(_("case number")),
                                linkify=lambda record: record.returnee.get_absolute_url(),
                                order_by=("returnee__case_number", "pk"))
    returnee_name = FullNameColumn(accessor="returnee__family_name", verbose_name=capfirst(_("returnee")),
                                  order_by=("returnee__family_name", "returnee__given_name", "pk"))
    return_country = tables.Column(accessor="returnee__return_country", verbose_name=capfirst(_("country of return")),
                                   order_by=("returnee__return_country", "pk"))
    status = tables.Column(order_by=("status", "pk"))
    economic_score = ScoreColumn(order_by=("economic_score", "pk"))
    social_score = ScoreColumn(order_by=("social_score", "pk"))
    psychosocial_score = ScoreColumn(order_by=("psychosocial_score", "pk"))
    composite_score = ScoreColumn(order_by=("composite_score", "pk"))

    class Meta:
        model = SustainabilitySurvey
        fields = ("date", "case_number", "returnee_name", "return_country", "status", "economic_score",
                  "social_score", "psychosocial_score", "composite_score")
        order_by = ("-date",)
        attrs = {"class": "data-table"}
        empty_text = _("No survey matches these filters.")
