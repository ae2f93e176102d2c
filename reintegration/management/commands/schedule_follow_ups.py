"""Plan the schedule's follow-ups of every returned case that has none (after an import or a bulk load)."""

from django.core.management.base import BaseCommand

from reintegration.services import schedule_follow_ups
from returns.models import AFTER_RETURN_STAGES, Returnee


class Command(BaseCommand):
    help = "Plan the follow-ups of returned cases that have no scheduled follow-up yet. Safe to run again."

    def handle(self, *args, **options) -> None:
        pending = (Returnee.objects.filter(stage__in=AFTER_RETURN_STAGES, departure_date__isnull=False)
                   .exclude(follow_ups__scheduled=True).distinct())
        planned = 0
        for returnee in pending.iterator(chunk_size=500):
            planned += len(schedule_follow_ups(returnee))
        self.stdout.write(self.style.SUCCESS(f"{planned} follow-ups planned."))
