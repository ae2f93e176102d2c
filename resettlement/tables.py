from __future__ import annotations

import django_tables2 as tables
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from oimsite.lists.columns import ShortDateColumn
from oimsite.lists.owners import OwnerColumn

from .models import Refugee, ResettlementFile


class ResettlementFileTable(tables.Table):
    # Every sort ends with a unique key, so that rows with equal values keep one order from page to page.
    # The referral date's ties are broken by file number, in the order of file_referral_number_idx.
    file_number = tables.Column(linkify=True)
    destination_country = tables.Column(order_by=("destination_country", "pk"))
    stage = tables.Column(order_by=("stage", "pk"))
    referral_date = ShortDateColumn(order_by=("referral_date", "-file_number"))
    departure_date = ShortDateColumn(order_by=("departure_date", "pk"))
    refugee_count = tables.Column(verbose_name=capfirst(_("refugees")), attrs={"td": {"class": "number"}},
                                  order_by=("refugee_count", "pk"))
    assigned_to = OwnerColumn()

    class Meta:
        model = ResettlementFile
        fields = ("file_number", "destination_country", "stage", "referral_date", "departure_date", "refugee_count",
                  "assigned_to")
        # One column: its header alone shows the sort (the tie-break is in the column's order_by).
        order_by = ("-referral_date",)
        attrs = {"class": "data-table"}
        empty_text = _("No file matches these filters.")


class RefugeeTable(tables.Table):
    # Every sort ends with the key, so that rows with equal values keep one order from page to page.
    family_name = tables.Column(linkify=True, order_by=("family_name", "given_name", "pk"))
    given_name = tables.Column(linkify=True, order_by=("given_name", "pk"))
    # Beside the Latin name, in its own direction whatever the page's (not sorted: the lists sort by the Latin name).
    name_ar = tables.Column(orderable=False, attrs={"td": {"lang": "ar", "dir": "rtl"}})
    sex = tables.Column(order_by=("sex", "pk"))
    date_of_birth = ShortDateColumn(order_by=("date_of_birth", "pk"))
    nationality = tables.Column(order_by=("nationality", "pk"))
    # The file's number (its name), read as a field so that exports read it from the database.
    file = tables.Column(accessor="file__file_number", verbose_name=capfirst(_("resettlement file")),
                         linkify=lambda record: record.file.get_absolute_url(), order_by=("file__file_number", "pk"))
    destination = tables.Column(accessor="file__destination_country", verbose_name=capfirst(_("resettlement country")),
                                order_by=("file__destination_country", "pk"))
    departure_date = ShortDateColumn(accessor="file__departure_date", verbose_name=capfirst(_("departure date")),
                                     order_by=("file__departure_date", "pk"))
    is_principal_applicant = tables.BooleanColumn(order_by=("is_principal_applicant", "pk"))

    class Meta:
        model = Refugee
        fields = ("family_name", "given_name", "name_ar", "sex", "date_of_birth", "nationality", "file", "destination",
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
