from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oimsite.core.models_base import Sex, year_bounds
from oimsite.lists.owners import AssignedToFilter, OwnerFilter
from oimsite.lists.views import CountryFilter, RangeCheckedForm, SearchFilter, YearFilter, YesNoFilter
from returns.filters import PROGRAMMES
from returns.models import MOROCCO

from .models import (
    FollowUp,
    FollowUpKind,
    FollowUpOutcome,
    Kind,
    Mode,
    Partner,
    PartnerKind,
    Phase,
    PlanStatus,
    Provider,
    Referral,
    ReferralStatus,
    ReintegrationPlan,
    SupportSession,
    SurveyStatus,
    SustainabilitySurvey,
)

# "Due this week": pending and due from today to this many days ahead.
DUE_SOON_DAYS = 7
DUE_CHOICES = [("overdue", _("Overdue")), ("week", _("Due this week")), ("pending", _("Not done yet")),
               ("done", _("Done"))]


class SupportSessionFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("returnee__case_number", "returnee__family_name", "returnee__given_name",
                              "returnee__name_ar"),
                     help_text=_("Case number, given or family name of the returnee."))
    programme = django_filters.ChoiceFilter(label=_("Programme"), choices=PROGRAMMES, method="filter_programme")
    year = YearFilter(label=_("Year"), method="filter_year")
    # Two labelled date inputs (a range widget's second input has no label).
    date_after = django_filters.DateFilter(label=_("Date from"), field_name="date", lookup_expr="gte",
                                           widget=forms.DateInput(attrs={"type": "date"}))
    date_before = django_filters.DateFilter(label=_("Date until"), field_name="date", lookup_expr="lte",
                                            widget=forms.DateInput(attrs={"type": "date"}))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices)
    phase = django_filters.ChoiceFilter(label=_("Phase"), choices=Phase.choices)
    mode = django_filters.ChoiceFilter(label=_("Mode"), choices=Mode.choices)
    provider = django_filters.ChoiceFilter(label=_("Provider"), choices=Provider.choices)
    enhanced = YesNoFilter(label=_("Reinforced support"))
    return_country = CountryFilter(label=_("Country of return"), field_name="returnee__return_country")
    host_country = CountryFilter(label=_("Host country"), field_name="returnee__host_country")
    sex = django_filters.ChoiceFilter(label=_("Sex"), choices=Sex.choices, field_name="returnee__sex")

    class Meta:
        form = RangeCheckedForm
        model = SupportSession
        fields: list[str] = []

    def filter_programme(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        field = "returnee__host_country" if value == "from_morocco" else "returnee__return_country"
        return queryset.filter(**{field: MOROCCO})

    def filter_year(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        start, end = year_bounds(value)
        return queryset.filter(date__gte=start, date__lt=end)


class FollowUpFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("returnee__case_number", "returnee__family_name", "returnee__given_name"),
                     help_text=_("Case number, given or family name of the returnee."))
    owner = OwnerFilter(with_recent=False)
    assigned_to = AssignedToFilter()
    due = django_filters.ChoiceFilter(label=_("Due"), choices=DUE_CHOICES, method="filter_due")
    due_date_after = django_filters.DateFilter(label=_("Due from"), field_name="due_date", lookup_expr="gte",
                                               widget=forms.DateInput(attrs={"type": "date"}))
    due_date_before = django_filters.DateFilter(label=_("Due until"), field_name="due_date", lookup_expr="lte",
                                                widget=forms.DateInput(attrs={"type": "date"}))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=FollowUpKind.choices)
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=FollowUpOutcome.choices)

    class Meta:
        form = RangeCheckedForm
        model = FollowUp
        fields: list[str] = []

    def filter_due(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "overdue":
            return queryset.overdue()
        if value == "week":
            return queryset.due_within(DUE_SOON_DAYS)
        if value == "pending":
            return queryset.pending()
        return queryset.filter(done_on__isnull=False)


class ReintegrationPlanFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("returnee__case_number", "returnee__family_name", "returnee__given_name"),
                     help_text=_("Case number, given or family name of the returnee."))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PlanStatus.choices)
    late = YesNoFilter(label=_("Late (not agreed 30 days after the return)"), method="filter_late")
    # A plan is worked on by the returnee's owner.
    owner = OwnerFilter(with_recent=False, field_name="returnee__assigned_to", label=_("Returnee's owner"))
    assigned_to = AssignedToFilter(field_name="returnee__assigned_to", label=_("Returnee assigned to"))

    class Meta:
        form = RangeCheckedForm
        model = ReintegrationPlan
        fields: list[str] = []

    def filter_late(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        late = queryset.late()
        return late if value else queryset.exclude(pk__in=late.values("pk"))


class PartnerFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("name", "city"), help_text=_("Name or city."))
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=PartnerKind.choices)
    country = CountryFilter(label=_("Country"))
    active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Partner
        fields: list[str] = []
        form = RangeCheckedForm


class ReferralFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("returnee__case_number", "returnee__family_name", "returnee__given_name",
                              "partner__name"),
                     help_text=_("Case number or name of the returnee, or the partner's name."))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReferralStatus.choices)
    service = django_filters.ChoiceFilter(label=_("Service"), choices=Kind.choices)
    pending = django_filters.ChoiceFilter(
        label=_("Waiting"), choices=[("over", _("Waiting for an answer for more than 14 days"))],
        method="filter_pending")
    mine = YesNoFilter(label=_("Sent by me"), method="filter_mine")

    class Meta:
        model = Referral
        fields: list[str] = []
        form = RangeCheckedForm

    def filter_pending(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.pending_over() if value == "over" else queryset

    def filter_mine(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        user = getattr(self.request, "user", None)
        if value is True and user is not None:
            return queryset.sent_by(user)
        if value is False and user is not None:
            return queryset.exclude(sent_by=user)
        return queryset


SURVEY_DIMENSIONS = (("composite", "sustainable", _("Sustainable (composite score at or above the threshold)")),
                     ("economic", "economic_ok", _("Economic score at or above the threshold")),
                     ("social", "social_ok", _("Social score at or above the threshold")),
                     ("psychosocial", "psychosocial_ok", _("Psychosocial score at or above the threshold")))


class SustainabilitySurveyFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("returnee__case_number", "returnee__family_name", "returnee__given_name",
                              "returnee__name_ar"),
                     help_text=_("Case number, given or family name of the returnee."))
    year = YearFilter(label=_("Year"), method="filter_year")
    counted_in = YearFilter(label=_("Counted in the year's report"), method="filter_counted_in",
                            help_text=_("Complete surveys of the year, each returnee's latest."))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SurveyStatus.choices)
    sustainable = YesNoFilter(label=SURVEY_DIMENSIONS[0][2], method="filter_threshold")
    economic_ok = YesNoFilter(label=SURVEY_DIMENSIONS[1][2], method="filter_threshold")
    social_ok = YesNoFilter(label=SURVEY_DIMENSIONS[2][2], method="filter_threshold")
    psychosocial_ok = YesNoFilter(label=SURVEY_DIMENSIONS[3][2], method="filter_threshold")
    programme = django_filters.ChoiceFilter(label=_("Programme"), choices=PROGRAMMES, method="filter_programme")
    return_country = CountryFilter(label=_("Country of return"), field_name="returnee__return_country")
    support_kind = django_filters.ChoiceFilter(label=_("Support received after return"), choices=Kind.choices,
                                               method="filter_support_kind")

    class Meta:
        form = RangeCheckedForm
        model = SustainabilitySurvey
        fields: list[str] = []

    def filter_year(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.in_year(value)

    def filter_counted_in(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.latest_per_returnee_in(value)

    def filter_threshold(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        dimension = next(d for d, param, _label in SURVEY_DIMENSIONS if param == name)
        dimension = None if dimension == "composite" else dimension
        return queryset.at_or_above(dimension) if value else queryset.below(dimension)

    def filter_programme(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        field = "returnee__host_country" if value == "from_morocco" else "returnee__return_country"
        return queryset.filter(**{field: MOROCCO})

    def filter_support_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.with_support(value)
