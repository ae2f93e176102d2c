from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from oimsite.core.models_base import Sex
from oimsite.lists.owners import AssignedToFilter, OwnerFilter
from oimsite.lists.views import CountryFilter, RangeCheckedForm, SearchFilter, YearFilter, YesNoFilter

from .models import OPEN_STAGES, Refugee, ResettlementFile, Stage


class ResettlementFileFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("file_number", "refugees__family_name", "refugees__given_name", "refugees__name_ar"),
                     help_text=_("File number, given or family name of a refugee."))
    departed_in = YearFilter(label=_("Year of departure"), method="filter_departed_in")
    # Two labelled date inputs (a range widget's second input has no label).
    departure_date_after = django_filters.DateFilter(
        label=_("Departure from"), field_name="departure_date", lookup_expr="gte",
                                           widget=forms.DateInput(attrs={"type": "date"}))
    departure_date_before = django_filters.DateFilter(
        label=_("Departure until"), field_name="departure_date", lookup_expr="lte",
                                            widget=forms.DateInput(attrs={"type": "date"}))
    destination = CountryFilter(label=_("Resettlement country"), field_name="destination_country")
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    open = YesNoFilter(label=_("Open file"), method="filter_open",
                       help_text=_("Open: neither arrived nor withdrawn."))
    owner = OwnerFilter()
    assigned_to = AssignedToFilter()

    class Meta:
        form = RangeCheckedForm
        model = ResettlementFile
        fields: list[str] = []

    def filter_departed_in(self, queryset, name: str, value: int) -> QuerySet:
        return queryset.departed_in(value)

    def filter_open(self, queryset, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.open_cases() if value else queryset.exclude(stage__in=OPEN_STAGES)


class RefugeeFilter(django_filters.FilterSet):
    q = SearchFilter(fields=("file__file_number", "family_name", "given_name", "name_ar"),
                     help_text=_("File number, given or family name."))
    departed_in = YearFilter(label=_("Year of departure"), method="filter_departed_in")
    destination = CountryFilter(label=_("Resettlement country"), field_name="file__destination_country")
    nationality = CountryFilter(label=_("Nationality"))
    sex = django_filters.ChoiceFilter(label=_("Sex"), choices=Sex.choices)
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices, field_name="file__stage")
    is_principal_applicant = YesNoFilter(label=_("Principal applicant"))

    class Meta:
        form = RangeCheckedForm
        model = Refugee
        fields: list[str] = []

    def filter_departed_in(self, queryset, name: str, value: int) -> QuerySet:
        return queryset.departed_in(value)
