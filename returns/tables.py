from __future__ import annotations

import django_tables2 as tables
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from oimsite.lists.exports import RelatedNamesColumn
from oimsite.lists.table_rendering import ShortDateColumn

from .models import Returnee


class ReturneeTable(tables.Table):
    case_number = tables.Column(linkify=True)
    family_name = tables.Column(linkify=True)
    given_name = tables.Column()
    sex = tables.Column()
    age_at_return = tables.Column(verbose_name=capfirst(_("age at return")), attrs={"td": {"class": "number"}})
    nationality = tables.Column()
    host_country = tables.Column()
    return_country = tables.Column()
    # The ties of a date broken by the case number: one index serves the order both ways (returnee_dep_case_idx).
    departure_date = ShortDateColumn(order_by=("departure_date", "-case_number"))
    status = tables.Column()

    class Meta:
        model = Returnee
        fields = ("case_number", "family_name", "given_name", "sex", "age_at_return", "nationality",
                  "host_country", "return_country", "departure_date", "status")
        # One column: its header alone shows the sort (the tie-break is in the column's order_by).
        order_by = ("-departure_date",)
        attrs = {"class": "data-table"}
        empty_text = _("No returnee matches these filters.")


class ReturneeFullExportTable(ReturneeTable):
    """The full export: the list's columns and every other field of a returnee that those allowed to export
    may see. Never shown as a page; the view prefetches the vulnerabilities and counts the sessions."""

    date_of_birth = ShortDateColumn()
    vulnerabilities = RelatedNamesColumn()
    session_count = tables.Column(verbose_name=_("Number of sessions"))
    consent_date = ShortDateColumn()
    consent_scope = tables.Column()
    notes = tables.Column()
    created_at = tables.DateTimeColumn(short=True)
    updated_at = tables.DateTimeColumn(short=True)

    class Meta(ReturneeTable.Meta):
        fields = ("case_number", "family_name", "given_name", "sex", "date_of_birth", "age_at_return",
                  "nationality", "host_country", "return_country", "departure_date", "status", "vulnerabilities",
                  "session_count", "consent_date", "consent_scope", "notes", "created_at", "updated_at")
        sequence = fields
