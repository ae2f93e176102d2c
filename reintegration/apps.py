from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _

from . import freeze


class ReintegrationConfig(AppConfig):
    name = "reintegration"
    verbose_name = _("Counselling and reintegration")

    def ready(self) -> None:
        from oimsite.core import panels
        from returns.models import STAGE_RULES, Returnee

        from .panels import referrals_panel, returnee_scores_panel
        from .services import check_completed_reintegration, schedule_on_return

        panels.register("returns.returnee", returnee_scores_panel)

        if check_completed_reintegration not in STAGE_RULES:
            STAGE_RULES.append(check_completed_reintegration)
        panels.register("returns.returnee", referrals_panel)
        post_save.connect(schedule_on_return, sender=Returnee, dispatch_uid="reintegration.schedule_on_return")
        post_migrate.connect(restore_freeze_triggers, sender=self, dispatch_uid="reintegration.restore_freeze")


def restore_freeze_triggers(sender: AppConfig, using: str = "default", **kwargs) -> None:
    """After migrate and flush: a migration that rebuilt a survey table on SQLite dropped the triggers that keep
    a used version of the survey as it was (reintegration/freeze.py); a flush emptied the reference rows."""
    from django.apps import apps

    from .reference_data import ensure_follow_up_schedule, ensure_survey_version_1

    freeze.ensure_installed(connections[using])
    ensure_follow_up_schedule(apps, using)
    ensure_survey_version_1(apps, using)
