from __future__ import annotations

import django_tables2 as tables
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from oimsite.lists.table_rendering import ShortDateColumn

from .models import Refugee, ResettlementFile


class ResettlementFileTable(tables.Table):
    file_number = tables.Column(linkify=True)
    destination_country = tables.Column()
    stage = tables.Column()
    # The ties of a date broken by the file number: one index serves the order both ways (file_referral_number_idx).
    referral_date = ShortDateColumn(order_by=("referral_date", "-file_number"))
    departure_date = ShortDateColumn()
    refugee_count = tables.Column(verbose_name=capfirst(_("refugees")), attrs={"td": {"class": "number"}})

    class Meta:
        model = ResettlementFile
        fields = ("file_number", "destination_country", "stage", "referral_date", "departure_date", "refugee_count")
        # One column: its header alone shows the sort (the tie-break is in the column's order_by).
        order_by = ("-referral_date",)
        attrs = {"class": "data-table"}
        empty_text = _("No file matches these filters.")


class RefugeeTable(tables.Table):
    family_name = tables.Column(linkify=True, order_by=("family_name", "given_name"))
    given_name = tables.Column(linkify=True)
    sex = tables.Column()
    date_of_birth = ShortDateColumn()
    nationality = tables.Column()
    file = tables.Column(linkify=True, order_by=("file__file_number",))
    destination = tables.Column(accessor="file__destination_country", verbose_name=capfirst(_("resettlement country")))
    departure_date = ShortDateColumn(accessor="file__departure_date", verbose_name=capfirst(_("departure date")))
    is_principal_applicant = tables.BooleanColumn()

    class Meta:
        model = Refugee
        fields = ("family_name", "given_name", "sex", "date_of_birth", "nationality", "file", "destination",
                  "departure_date", "is_principal_applicant")
        order_by = ("family_name",)
        attrs = {"class": "data-table"}
        empty_text = _("No refugee matches these filters.")


class ResettlementFileFullExportTable(ResettlementFileTable):
    """The full export: the list's columns and the file's other fields (consent, notes)."""

    consent_date = ShortDateColumn()
    consent_scope = tables.Column()
    notes = tables.Column()
    created_at = tables.DateTimeColumn(short=True)
    updated_at = tables.DateTimeColumn(short=True)

    class Meta(ResettlementFileTable.Meta):
        fields = (*ResettlementFileTable.Meta.fields, "consent_date", "consent_scope", "notes", "created_at",
                  "updated_at")
        sequence = fields


class RefugeeFullExportTable(RefugeeTable):
    """The full export: the list's columns and the refugee's other fields."""

    relationship = tables.Column()
    file_stage = tables.Column(accessor="file__stage", verbose_name=_("File stage"))
    created_at = tables.DateTimeColumn(short=True)
    updated_at = tables.DateTimeColumn(short=True)

    class Meta(RefugeeTable.Meta):
        fields = (*RefugeeTable.Meta.fields, "relationship", "file_stage", "created_at", "updated_at")
        sequence = fields
