from __future__ import annotations

import django_tables2 as tables
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from oimsite.lists.table_rendering import ShortDateColumn

from .models import SupportSession


class SupportSessionTable(tables.Table):
    date = ShortDateColumn(linkify=True)
    case_number = tables.Column(accessor="returnee__case_number", verbose_name=capfirst(_("case number")),
                                linkify=lambda record: record.returnee.get_absolute_url())
    returnee_name = tables.Column(accessor="returnee__family_name", verbose_name=capfirst(_("returnee")),
                                  order_by=("returnee__family_name", "returnee__given_name"))
    return_country = tables.Column(accessor="returnee__return_country", verbose_name=capfirst(_("country of return")))
    phase = tables.Column()
    kind = tables.Column()
    mode = tables.Column()
    provider = tables.Column()
    enhanced = tables.BooleanColumn()

    class Meta:
        model = SupportSession
        fields = ("date", "case_number", "returnee_name", "return_country", "phase", "kind", "mode", "provider",
                  "enhanced")
        order_by = ("-date",)
        attrs = {"class": "data-table"}
        empty_text = _("No session matches these filters.")

    def render_returnee_name(self, record: SupportSession) -> str:
        return record.returnee.full_name


class SupportSessionFullExportTable(SupportSessionTable):
    """The full export: the list's columns and the session's other fields."""

    notes = tables.Column()
    created_at = tables.DateTimeColumn(short=True)
    updated_at = tables.DateTimeColumn(short=True)

    class Meta(SupportSessionTable.Meta):
        fields = (*SupportSessionTable.Meta.fields, "notes", "created_at", "updated_at")
        sequence = fields
