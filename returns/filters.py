from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oimsite.core.models_base import Sex
from oimsite.lists.owners import AssignedToFilter, OwnerFilter
from oimsite.lists.views import CountryFilter, RangeCheckedForm, SearchFilter, YearFilter, YesNoFilter

from .models import (
    BEFORE_RETURN_STAGES,
    OPEN_STAGES,
    AgeBand,
    Returnee,
    ReturneeQuerySet,
    ReturnStatus,
    Stage,
    VulnerabilityCategory,
)

PROGRAMMES = [("from_morocco", _("Returns from Morocco")), ("to_morocco", _("Moroccans returning home"))]


class ReturneeFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("case_number", "family_name", "given_name", "name_ar"),
                     help_text=_("Case number, given or family name."))
    programme = django_filters.ChoiceFilter(label=_("Programme"), choices=PROGRAMMES, method="filter_programme")
    returned_in = YearFilter(label=_("Year of return"), method="filter_returned_in")
    # Two labelled date inputs (a range widget's second input has no label).
    departure_date_after = django_filters.DateFilter(
        label=_("Departure from"), field_name="departure_date", lookup_expr="gte",
                                           widget=forms.DateInput(attrs={"type": "date"}))
    departure_date_before = django_filters.DateFilter(
        label=_("Departure until"), field_name="departure_date", lookup_expr="lte",
                                            widget=forms.DateInput(attrs={"type": "date"}))
    return_country = CountryFilter(label=_("Country of return"))
    host_country = CountryFilter(label=_("Host country"))
    nationality = CountryFilter(label=_("Nationality"))
    sex = django_filters.ChoiceFilter(label=_("Sex"), choices=Sex.choices)
    age_band = django_filters.ChoiceFilter(label=_("Age at return"), choices=AgeBand.choices,
                                           method="filter_age_band")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReturnStatus.choices)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    open = YesNoFilter(label=_("Open case"), method="filter_open",
                       help_text=_("Open: neither closed nor withdrawn."))
    owner = OwnerFilter()
    assigned_to = AssignedToFilter()
    vulnerability = django_filters.ModelChoiceFilter(
        label=_("Vulnerability"), field_name="vulnerabilities", queryset=VulnerabilityCategory.objects.all())
    counselled_virtually = YesNoFilter(
        label=_("Virtually counselled before departure"), method="filter_counselled")
    supported_after_return_in = YearFilter(label=_("Supported after return in year"), method="filter_supported")
    enhanced_support_in = YearFilter(label=_("Reinforced support in year"), method="filter_enhanced")

    class Meta:
        form = RangeCheckedForm
        model = Returnee
        fields: list[str] = []

    def filter_programme(self, queryset: ReturneeQuerySet, name: str, value: str) -> QuerySet:
        return queryset.from_morocco() if value == "from_morocco" else queryset.to_morocco()

    def filter_open(self, queryset: ReturneeQuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.open_cases() if value else queryset.exclude(stage__in=OPEN_STAGES)

    def filter_returned_in(self, queryset: ReturneeQuerySet, name: str, value: int) -> QuerySet:
        return queryset.returned_in(value)

    def filter_age_band(self, queryset: ReturneeQuerySet, name: str, value: str) -> QuerySet:
        return queryset.in_age_band(value)

    def filter_counselled(self, queryset: ReturneeQuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        counselled = queryset.counselled_virtually_before_departure()
        return counselled if value else queryset.exclude(pk__in=counselled.values("pk"))

    def filter_supported(self, queryset: ReturneeQuerySet, name: str, value: int) -> QuerySet:
        return queryset.supported_after_return_in(value)

    def filter_enhanced(self, queryset: ReturneeQuerySet, name: str, value: int) -> QuerySet:
        return queryset.enhanced_support_in(value)


class TravelFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("case_number", "family_name", "given_name", "name_ar"),
                     help_text=_("Case number, given or family name."))
    readiness = django_filters.ChoiceFilter(
        label=_("Ready to travel"), choices=[("ready", _("Ready to travel")), ("blocked", _("Blocked"))],
        method="filter_readiness")
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=[(s.value, s.label) for s in BEFORE_RETURN_STAGES])
    return_country = CountryFilter(label=_("Country of return"))
    owner = OwnerFilter()

    class Meta:
        model = Returnee
        fields: list[str] = []
        form = RangeCheckedForm

    def filter_readiness(self, queryset: ReturneeQuerySet, name: str, value: str) -> ReturneeQuerySet:
        if value == "ready":
            return queryset.ready_to_travel()
        if value == "blocked":
            return queryset.blocked_for_travel()
        return queryset
