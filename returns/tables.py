from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from oimsite.lists.columns import ShortDateColumn
from oimsite.lists.exports import RelatedNamesColumn
from oimsite.lists.owners import OwnerColumn

from .models import Blocker, Returnee, travel_blockers


class ReturneeTable(tables.Table):
    # Every sort ends with a unique key, so that rows with equal values keep one order from page to page.
    # The departure date's ties are broken by case number, in the order of returnee_dep_case_idx.
    case_number = tables.Column(linkify=True)
    family_name = tables.Column(linkify=True, order_by=("family_name", "given_name", "pk"))
    given_name = tables.Column(order_by=("given_name", "pk"))
    # Beside the Latin name, in its own direction whatever the page's (not sorted: the lists sort by the Latin name).
    name_ar = tables.Column(orderable=False, attrs={"td": {"lang": "ar", "dir": "rtl"}})
    sex = tables.Column(order_by=("sex", "pk"))
    age_at_return = tables.Column(verbose_name=capfirst(_("age at return")), attrs={"td": {"class": "number"}},
                                  order_by=("age_at_return", "pk"))
    nationality = tables.Column(order_by=("nationality", "pk"))
    host_country = tables.Column(order_by=("host_country", "pk"))
    return_country = tables.Column(order_by=("return_country", "pk"))
    departure_date = ShortDateColumn(order_by=("departure_date", "-case_number"))
    status = tables.Column(order_by=("status", "pk"))
    assigned_to = OwnerColumn()

    class Meta:
        model = Returnee
        fields = ("case_number", "family_name", "given_name", "name_ar", "sex", "age_at_return", "nationality",
                  "host_country", "return_country", "departure_date", "status", "assigned_to")
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
        fields = ("case_number", "family_name", "given_name", "name_ar", "sex", "date_of_birth", "age_at_return",
                  "nationality", "host_country", "return_country", "departure_date", "status", "assigned_to",
                  "vulnerabilities", "session_count", "consent_date", "consent_scope", "notes", "created_at",
                  "updated_at")
        sequence = fields


class TravelTable(tables.Table):
    """The movement team's list: each case before its return, ready to travel or what blocks it."""

    case_number = tables.Column(linkify=True)
    family_name = tables.Column(order_by=("family_name", "given_name", "pk"))
    given_name = tables.Column(order_by=("given_name", "pk"))
    stage = tables.Column(order_by=("stage", "pk"))
    return_country = tables.Column(order_by=("return_country", "pk"))
    planned_departure = ShortDateColumn(accessor="checklist__planned_departure_date",
                                        verbose_name=capfirst(_("planned departure date")),
                                        order_by=("checklist__planned_departure_date", "pk"))
    assigned_to = OwnerColumn()
    travel = tables.Column(empty_values=(), orderable=False, verbose_name=capfirst(_("ready to travel")))
    still_to_do = tables.Column(empty_values=(), orderable=False, verbose_name=capfirst(_("still to do")))

    class Meta:
        model = Returnee
        fields = ("case_number", "family_name", "given_name", "stage", "return_country", "planned_departure",
                  "assigned_to", "travel", "still_to_do")
        order_by = ("planned_departure",)
        attrs = {"class": "data-table"}
        empty_text = _("No case matches these filters.")

    @staticmethod
    def _checklist(record: Returnee):
        try:
            return record.checklist
        except Returnee.checklist.RelatedObjectDoesNotExist:
            return None

    def render_travel(self, record: Returnee) -> str:
        blockers = travel_blockers(self._checklist(record), None)
        if not blockers:
            return format_html("<strong>{}</strong>", _("Ready to travel"))
        return format_html("{} {}", _("Blocked by:"),
                           format_html_join("; ", "{}", ((Blocker(b).label,) for b in blockers)))

    def render_still_to_do(self, record: Returnee) -> str:
        checklist = self._checklist(record)
        if checklist is None:
            return "—"
        return "; ".join(str(item) for item in checklist.still_to_do()) or "—"

    def value_travel(self, record: Returnee) -> str:
        blockers = travel_blockers(self._checklist(record), None)
        return "; ".join(str(Blocker(b).label) for b in blockers) or str(_("Ready to travel"))
