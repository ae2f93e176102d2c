from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oimsite.lists.admin_base import CaseAdmin, YearListFilter

from .models import Phase, SupportSession


class SessionYearListFilter(YearListFilter):
    date_field = "date"


@admin.register(SupportSession)
class SupportSessionAdmin(CaseAdmin):
    changelist_totals = (
        (_("sessions"), None),
        (_("before departure"), Q(phase=Phase.PRE_DEPARTURE)),
        (_("after return"), Q(phase=Phase.POST_RETURN)),
        (_("reinforced support"), Q(enhanced=True)),
    )
    list_display = ("returnee", "date", "phase", "kind", "mode", "provider", "enhanced")
    list_filter = ("phase", "kind", "mode", "provider", "enhanced", SessionYearListFilter)
    search_fields = ("^returnee__case_number", "^returnee__family_name", "^returnee__given_name")
    autocomplete_fields = ("returnee",)
    list_select_related = ("returnee",)
    fields = ("returnee", "date", "phase", "kind", "mode", "provider", "enhanced", "notes",
              "created_at", "updated_at")
