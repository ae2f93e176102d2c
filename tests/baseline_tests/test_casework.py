"""The baseline's casework is consistent with the models and looks like an office's work: every returned case has
its scheduled follow-ups, support follows an agreed plan, owners are staff without a usable password, and each case
worker has a manageable backlog of overdue follow-ups."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Exists, F, OuterRef, Q

from accounts.roles import CASE_WORKER
from reintegration.models import FollowUp, PlanGoal, ReintegrationPlan, SupportSession
from resettlement.models import FileAssignment, ResettlementFile
from returns.models import AFTER_RETURN_STAGES, Returnee, ReturneeAssignment


def test_every_returned_case_has_the_follow_ups_of_the_schedule(db, baseline):
    returned = Returnee.objects.filter(stage__in=AFTER_RETURN_STAGES)
    assert returned.exists()
    assert not returned.annotate(n=Count("follow_ups", filter=Q(follow_ups__scheduled=True))).exclude(n=4).exists()
    out = StringIO()
    call_command("schedule_follow_ups", stdout=out)
    assert "0 follow-ups planned." in out.getvalue()


def test_support_after_the_return_follows_a_plan_agreed_on_or_before_it(db, baseline):
    agreed = ReintegrationPlan.objects.filter(returnee=OuterRef("returnee"), agreed_on__isnull=False,
                                              agreed_on__lte=OuterRef("date")).exclude(status="draft")
    support = SupportSession.objects.post_return().exclude(kind="counselling")
    assert support.count() > 1000
    assert not support.exclude(Exists(agreed)).exists()
    assert not support.filter(goal__isnull=True).exists()
    assert not support.exclude(goal__plan__returnee=F("returnee")).exists()
    assert ReintegrationPlan.objects.late().exists()  # a few drafts the supervisors chase
    completed = Returnee.objects.filter(stage="completed")
    assert not completed.filter(plans__goals__status__in=["planned", "in_progress"]).exclude(
        plans__status="abandoned").exists()
    assert not PlanGoal.objects.filter(plan__status="completed").open().exists()


def test_owners_are_staff_accounts_that_cannot_log_in_until_given_a_password(db, baseline):
    staff = get_user_model().objects.filter(pk__in=Returnee.objects.values("assigned_to"))
    assert staff.count() == 7
    for user in staff:
        assert user.is_staff and user.is_active and not user.is_superuser and not user.has_usable_password()
        assert list(user.groups.values_list("name", flat=True)) == [CASE_WORKER]
    assert get_user_model().objects.filter(groups__name="Superviseur").count() == 2
    assert Returnee.objects.open_cases().unassigned().count() == 6
    for model, log in ((Returnee, ReturneeAssignment), (ResettlementFile, FileAssignment)):
        latest = log.objects.filter(case=OuterRef("pk")).order_by("-at", "-pk").values("to_user")[:1]
        owned = model.objects.filter(assigned_to__isnull=False)
        assert owned.exists() and not owned.exclude(assigned_to=latest).exists()


def test_each_case_worker_has_a_manageable_backlog_of_overdue_follow_ups(db, baseline):
    overdue = dict(FollowUp.objects.overdue().values_list("assigned_to__username").annotate(n=Count("pk")))
    workers = get_user_model().objects.filter(groups__name=CASE_WORKER).values_list("username", flat=True)
    assert set(overdue) == set(workers)
    assert all(5 <= n <= 60 for n in overdue.values()), overdue
    assert FollowUp.objects.exclude(done_on=None).count() > 20 * FollowUp.objects.pending().count()
