"""The baseline's casework: who owns each case, where it stands, the reintegration plans and the follow-ups.

The records the report counts (people, sessions, files) are drawn by `generator.py`; this module adds, on
top of them and with its own random stream, the day-to-day work of the office as it stood on
CASEWORK_DATE: the staff accounts, each case's owner and the log of its assignments, each returnee's
stage, a reintegration plan with its goals for every returnee who got support after the return (agreed
on or before the first session of support, the rule of `SupportSession.clean`), and the follow-ups of
the schedule (reintegration migration 0008), mostly done, a few still pending. Its own stream keeps the
counted records byte for byte what they were, so no published figure can move.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from accounts.roles import CASE_WORKER, RESETTLEMENT_OFFICER, SUPERVISOR
from oimsite.baseline.names import STAFF, StaffMember
from reintegration.services import add_months

# The day the casework stands on: plans agreed or completed, follow-ups done, stages reached by then.
# After the last counted record (31 March 2025), so that the 2024 returns have had their year of
# follow-ups; in the past on any machine running the site, so a follow-up pending then is overdue now.
CASEWORK_DATE = date(2025, 12, 31)
# The schedule reintegration migration 0008 seeds, for both programmes: (months after departure, kind).
SCHEDULE = ((1, "phone"), (3, "home"), (6, "home"), (12, "phone"))
STAFF_JOINED = date(2022, 9, 1)

# Which dimension of the plan each kind of support serves (IOM's integrated approach).
DIMENSION_OF_KIND = {
    "cash": "economic", "vocational_training": "economic", "economic": "economic",
    "psychosocial": "psychosocial", "social": "social", "health": "social", "education": "social",
}
NEEDS = {
    "cash": ("Démarrer une activité génératrice de revenus", "Couvrir les besoins de base à l'arrivée",
             "Ouvrir un petit commerce"),
    "vocational_training": ("Formation en couture", "Formation en mécanique automobile",
                            "Formation en électricité du bâtiment", "Formation en maraîchage"),
    "psychosocial": ("Soutien psychosocial après le retour", "Accompagnement du retour dans la famille"),
    "social": ("Accès à un logement", "Rétablir les liens avec la famille", "Obtenir des papiers d'identité"),
    "economic": ("Créer une micro-entreprise", "Trouver un emploi salarié", "Reprendre une activité agricole"),
    "health": ("Accès aux soins de santé", "Suivi médical régulier"),
    "education": ("Reprendre la scolarité", "S'inscrire à une formation qualifiante"),
}
# Budget range in dirhams, rounded to 500; None: no budget (support given by the team itself).
BUDGETS: dict[str, tuple[int, int] | None] = {
    "cash": (8000, 15000), "vocational_training": (4000, 9000), "psychosocial": None, "social": (2000, 6000),
    "economic": (10000, 25000), "health": (1500, 5000), "education": (1500, 4000),
}
ACHIEVED = {
    "economic": ("Activité lancée, revenus réguliers.", "Emploi trouvé et conservé.", "Commerce ouvert et rentable."),
    "social": ("Situation stable, démarches abouties.", "Logement stable trouvé."),
    "psychosocial": ("Se sent mieux ; suivi terminé d'un commun accord.", "Bonne réinsertion dans la famille."),
}
PARTLY = ("Activité lancée, revenus encore irréguliers.", "Formation suivie, pas encore d'emploi.",
          "Objectif en partie atteint ; appui réorienté.")
FOLLOW_UP_NOTES = {
    "needs_support": "Demande un appui complémentaire.",
    "not_reached": "Injoignable après trois tentatives.",
    "remigrated": "Selon la famille, a de nouveau quitté le pays.",
}
INITIAL_REASON = "Attribution à l'ouverture du dossier"
REASSIGN_REASONS = ("Répartition de la charge de travail", "Congé de la personne en charge",
                    "Dossier suivi depuis l'antenne d'Oujda", "Continuité avec le dossier d'un proche")
ABANDONED_REASON = "Le bénéficiaire a de nouveau quitté le pays."
DRAFT_PLANS = 12  # returns of late 2024 whose plan was still a draft (late): the supervisors' reminder list
UNASSIGNED_OPEN = 6  # the most recent open cases, not yet given to anyone


@dataclass
class GoalRecord:
    dimension: str
    need: str
    planned_support: str
    budget: int | None
    target: date
    status: str = "planned"
    outcome: str = ""
    pk: int = 0


@dataclass
class PlanRecord:
    returnee: Any
    status: str
    created: date
    agreed_on: date | None = None
    closed_on: date | None = None
    closure_reason: str = ""
    goals: list[GoalRecord] = field(default_factory=list)
    pk: int = 0

    @property
    def updated(self) -> date:
        return self.closed_on or self.agreed_on or self.created


@dataclass
class FollowUpRecord:
    returnee: Any
    kind: str
    due: date
    owner: str | None
    done_on: date | None = None
    outcome: str = ""
    notes: str = ""
    pk: int = 0


@dataclass
class AssignmentRecord:
    case: Any
    from_user: str | None
    to_user: str
    by: str
    at: datetime
    reason: str
    pk: int = 0


@dataclass
class Casework:
    staff: Sequence[StaffMember]
    plans: list[PlanRecord] = field(default_factory=list)
    follow_ups: list[FollowUpRecord] = field(default_factory=list)
    returnee_assignments: list[AssignmentRecord] = field(default_factory=list)
    file_assignments: list[AssignmentRecord] = field(default_factory=list)

    def number(self) -> None:
        """Primary keys in date order: plans by creation, follow-ups by due date, log rows by time."""
        self.plans.sort(key=lambda p: (p.created, p.returnee.pk))
        goal_pk = 0
        for pk, plan in enumerate(self.plans, start=1):
            plan.pk = pk
            for goal in plan.goals:
                goal_pk += 1
                goal.pk = goal_pk
        self.follow_ups.sort(key=lambda f: (f.due, f.returnee.pk))
        for log in (self.returnee_assignments, self.file_assignments):
            log.sort(key=lambda a: (a.at, a.case.pk))
        for rows in (self.follow_ups, self.returnee_assignments, self.file_assignments):
            for pk, row in enumerate(rows, start=1):
                row.pk = pk


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour))


class CaseworkPlanner:
    """Draws the casework of the generator's records (`returnees` and `files`, numbered, in pk order)."""

    def __init__(self, seed: int, last_record_day: date) -> None:
        self.rng = random.Random(f"casework-{seed}")
        self.last_record_day = last_record_day
        self.casework = Casework(STAFF)
        self.workers = {team: [s.username for s in STAFF if s.team == team and s.role in (CASE_WORKER,
                                                                                            RESETTLEMENT_OFFICER)]
                        for team in ("avrr", "moroccans", "resettlement")}
        supervisors = {s.team: s.username for s in STAFF if s.role == SUPERVISOR}
        self.supervisor = {**supervisors, "resettlement": supervisors["moroccans"]}

    def day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def run(self, returnees: Sequence[Any], files: Sequence[Any]) -> Casework:
        open_cases = sorted((p for p in returnees if p.status == "open"), key=lambda p: (p.opened, p.pk))
        unassigned = {p.pk for p in open_cases[-UNASSIGNED_OPEN:]}
        drafts = self.draft_candidates(returnees)
        for person in returnees:
            team = "avrr" if person.host_country == "MA" else "moroccans"
            if person.pk not in unassigned:
                end = person.departure_date or self.last_record_day
                self.assign(person, person.opened, end, team, self.casework.returnee_assignments)
            if person.status == "departed":
                self.after_return(person, draft=person.pk in drafts)
            else:
                self.before_return(person)
        for file in files:
            self.assign(file, file.referral, file.departure or self.last_record_day, "resettlement",
                        self.casework.file_assignments)
            file.stage_changed_on = self.file_stage_day(file)
        self.casework.number()
        return self.casework

    # --- owners ---------------------------------------------------------------------------------------
    def assign(self, case: Any, opened: date, end: date, team: str, log: list[AssignmentRecord]) -> None:
        """An owner from the case's opening; now and then a supervisor hands it to a colleague before the
        departure (the follow-ups after it then go to whoever owns the case)."""
        rng = self.rng
        workers, by = self.workers[team], self.supervisor[team]
        owner = rng.choice(workers)
        when = at(opened, 10)
        log.append(AssignmentRecord(case, None, owner, by, when, INITIAL_REASON))
        if rng.random() < 0.05 and (end - opened).days > 10:
            when = at(self.day_between(opened + timedelta(days=1), end - timedelta(days=1)), 11)
            new_owner = rng.choice([w for w in workers if w != owner])
            log.append(AssignmentRecord(case, owner, new_owner, by, when, rng.choice(REASSIGN_REASONS)))
            owner = new_owner
        case.owner, case.assigned_on = owner, when

    # --- before the return ----------------------------------------------------------------------------
    def before_return(self, person: Any) -> None:
        rng = self.rng
        last_session = max((s.day for s in person.sessions), default=person.opened)
        if person.status == "withdrawn":
            person.stage = "withdrawn"
            person.stage_changed_on = self.day_between(max(person.opened, last_session), self.last_record_day)
            return
        if person.sessions:
            person.stage = rng.choice(("counselled", "travel"))
            person.stage_changed_on = (last_session if person.stage == "counselled"
                                       else self.day_between(last_session, self.last_record_day))
            return
        roll = rng.random()
        person.stage = "registered" if roll < 0.7 else "counselled" if roll < 0.9 else "travel"
        person.stage_changed_on = (person.opened if person.stage == "registered"
                                   else self.day_between(person.opened, self.last_record_day))

    # --- after the return -----------------------------------------------------------------------------
    def draft_candidates(self, returnees: Sequence[Any]) -> set[int]:
        """Late-2024 returns without support after the return, whose plan the office never agreed."""
        pool = [p for p in returnees if p.status == "departed" and p.departure_date >= date(2024, 11, 1)
                and not self.support(p)]
        return {p.pk for p in self.rng.sample(pool, DRAFT_PLANS)}

    @staticmethod
    def support(person: Any) -> list[Any]:
        """The sessions a plan must precede: after the return, other than counselling, by date."""
        return sorted((s for s in person.sessions if s.phase == "post_return" and s.kind != "counselling"),
                      key=lambda s: s.day)

    def after_return(self, person: Any, draft: bool) -> None:
        support = self.support(person)
        plan = self.plan(person, support) if support else self.draft_plan(person) if draft else None
        if plan is not None:
            self.casework.plans.append(plan)
        closed_on, reason = self.follow_ups(person, plan)
        if plan is not None and plan.status == "abandoned":
            person.stage, person.stage_changed_on, person.closure_reason = "closed", plan.closed_on, "remigrated"
        elif reason == "remigrated" or (closed_on is not None and (plan is None or plan.status == "completed")):
            person.stage, person.stage_changed_on, person.closure_reason = "closed", closed_on, reason
        elif plan is not None and plan.status == "agreed":
            person.stage, person.stage_changed_on = "reintegration", plan.agreed_on
        elif plan is not None and plan.status == "completed":
            person.stage, person.stage_changed_on = "completed", plan.closed_on
        else:
            person.stage, person.stage_changed_on = "returned", person.departure_date

    def goal(self, kind: str, start: date) -> GoalRecord:
        rng = self.rng
        budget_range = BUDGETS[kind]
        budget = None if budget_range is None else rng.randrange(budget_range[0], budget_range[1] + 1, 500)
        return GoalRecord(DIMENSION_OF_KIND[kind], rng.choice(NEEDS[kind]), kind, budget,
                          start + timedelta(days=rng.randint(90, 270)))

    def plan(self, person: Any, support: list[Any]) -> PlanRecord:
        """The plan agreed before the first session of support, its goals one per kind of support given
        (and now and then one more that got no session), each session linked to the goal of its kind."""
        rng = self.rng
        first, last = support[0].day, support[-1].day
        agreed = max(person.departure_date, first - timedelta(days=rng.randint(0, 12)))
        created = max(person.departure_date, agreed - timedelta(days=rng.randint(0, 15)))
        plan = PlanRecord(person, "agreed", created, agreed)
        by_kind: dict[str, GoalRecord] = {}
        for session in support:
            if session.kind not in by_kind:
                by_kind[session.kind] = self.goal(session.kind, agreed)
                plan.goals.append(by_kind[session.kind])
            session.goal = by_kind[session.kind]
        kinds = ("cash", "vocational_training", "psychosocial") if person.host_country == "MA" else (
            "social", "economic", "health", "education")
        unused = [k for k in kinds if k not in by_kind]
        extra = self.goal(rng.choice(unused), agreed) if unused and rng.random() < 0.25 else None
        if extra is not None:
            plan.goals.append(extra)
        worked = list(by_kind.values())
        ongoing = rng.random() < (0.5 if last >= date(2025, 1, 1) else 0.15 if last >= date(2024, 10, 1) else 0.02)
        if ongoing and rng.random() < 0.1:  # stopped: the returnee left again
            plan.status, plan.closure_reason = "abandoned", ABANDONED_REASON
            plan.closed_on = min(last + timedelta(days=rng.randint(30, 120)), CASEWORK_DATE)
            for goal in worked:
                goal.status = rng.choice(("partly_achieved", "dropped"))
                goal.outcome = rng.choice(PARTLY) if goal.status == "partly_achieved" else ""
            if extra is not None:
                extra.status = "dropped"
        elif ongoing:
            for goal in worked:
                goal.status = "achieved" if rng.random() < 0.3 else "in_progress"
                goal.outcome = rng.choice(ACHIEVED[goal.dimension]) if goal.status == "achieved" else ""
            if all(goal.status == "achieved" for goal in worked) and extra is None:
                worked[-1].status, worked[-1].outcome = "in_progress", ""
        else:
            plan.status = "completed"
            plan.closed_on = min(last + timedelta(days=rng.randint(20, 90)), CASEWORK_DATE)
            for goal in worked:
                roll = rng.random()
                goal.status = "achieved" if roll < 0.7 else "partly_achieved" if roll < 0.95 else "dropped"
                goal.outcome = (rng.choice(ACHIEVED[goal.dimension]) if goal.status == "achieved"
                                else rng.choice(PARTLY) if goal.status == "partly_achieved" else "")
            if extra is not None:
                extra.status = "dropped" if rng.random() < 0.7 else "partly_achieved"
                extra.outcome = rng.choice(PARTLY) if extra.status == "partly_achieved" else ""
        return plan

    def draft_plan(self, person: Any) -> PlanRecord:
        rng = self.rng
        created = person.departure_date + timedelta(days=rng.randint(7, 40))
        kinds = ("cash", "vocational_training", "psychosocial") if person.host_country == "MA" else (
            "social", "economic", "health", "education")
        return PlanRecord(person, "draft", created,
                          goals=[self.goal(kind, created) for kind in rng.sample(kinds, rng.randint(1, 2))])

    def follow_ups(self, person: Any, plan: PlanRecord | None) -> tuple[date | None, str]:
        """The schedule's follow-ups, by the case's owner: done soon after they are due, except a few of
        the latest (the office's backlog). Returns the day the case could close and why (all done, or the
        returnee left again), or None while some are pending or support goes on."""
        rng = self.rng
        departure = person.departure_date
        stop = plan.closed_on if plan is not None and plan.status == "abandoned" else None
        outcomes: list[str] = []
        last_done: date | None = None
        pending = False
        for months, kind in SCHEDULE:
            due = add_months(departure, months)
            if stop is not None and due > stop:
                break
            follow_up = FollowUpRecord(person, kind, due, person.owner)
            self.casework.follow_ups.append(follow_up)
            late = (CASEWORK_DATE - due).days
            chance_pending = 0.3 if late <= 21 else 0.08 if late <= 60 else 0.015 if late <= 180 else 0.0015
            if due > CASEWORK_DATE or rng.random() < chance_pending:
                pending = True
                continue
            follow_up.done_on = min(max(due + timedelta(days=rng.randint(-3, 14)), departure), CASEWORK_DATE)
            may_leave = months >= 3 and (plan is None or (plan.status == "completed" and plan.closed_on
                                         <= follow_up.done_on))
            roll = rng.random()
            follow_up.outcome = ("remigrated" if may_leave and roll < 0.015 else "not_reached" if roll < 0.11
                                 else "needs_support" if roll < 0.21 else "reached")
            follow_up.notes = FOLLOW_UP_NOTES.get(follow_up.outcome, "")
            outcomes.append(follow_up.outcome)
            last_done = follow_up.done_on
            if follow_up.outcome == "remigrated":
                return last_done, "remigrated"
        if pending or last_done is None or stop is not None:
            return None, ""
        return last_done, "lost_contact" if outcomes[-2:] == ["not_reached", "not_reached"] else "completed"

    # --- resettlement files ---------------------------------------------------------------------------
    def file_stage_day(self, file: Any) -> date:
        if file.stage == "referred":
            return file.referral
        if file.departure is not None:
            return file.departure + timedelta(days=1 if file.stage == "arrived" else 0)
        return self.day_between(file.referral + timedelta(days=1), self.last_record_day)
