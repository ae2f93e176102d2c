from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from oimsite.lists.columns import ShortDateColumn

from .models import Returnee


class ReturneeTable(tables.Table):
    # Every sort ends with a unique key, so that rows with equal values keep one order from page to page.
    # The departure date's ties are broken by case number, in the order of returnee_dep_case_idx.
    case_number = tables.Column(linkify=True)
    family_name = tables.Column(linkify=True, order_by=("family_name", "given_name", "pk"))
    given_name = tables.Column(order_by=("given_name", "pk"))
    sex = tables.Column(order_by=("sex", "pk"))
    age_at_return = tables.Column(verbose_name=_("age at return"), attrs={"td": {"class": "number"}},
                                  order_by=("age_at_return", "pk"))
    nationality = tables.Column(order_by=("nationality", "pk"))
    host_country = tables.Column(order_by=("host_country", "pk"))
    return_country = tables.Column(order_by=("return_country", "pk"))
    departure_date = ShortDateColumn(order_by=("departure_date", "-case_number"))
    status = tables.Column(order_by=("status", "pk"))

    class Meta:
        model = Returnee
        fields = ("case_number", "family_name", "given_name", "sex", "age_at_return", "nationality",
                  "host_country", "return_country", "departure_date", "status")
        order_by = ("-departure_date", "case_number")
        attrs = {"class": "data-table"}
        empty_text = _("No returnee matches these filters.")
