from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class ReintegrationConfig(AppConfig):
    name = "reintegration"
    verbose_name = _("Counselling and reintegration")

    def ready(self) -> None:
        from oimsite.core import panels
        from returns.models import STAGE_RULES, Returnee

        from .panels import referrals_panel
        from .services import check_completed_reintegration, schedule_on_return

        if check_completed_reintegration not in STAGE_RULES:
            STAGE_RULES.append(check_completed_reintegration)
        panels.register("returns.returnee", referrals_panel)
        post_save.connect(schedule_on_return, sender=Returnee, dispatch_uid="reintegration.schedule_on_return")
