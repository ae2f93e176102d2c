"""Returnees: one person assisted by IOM to return, from Morocco or to Morocco."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Replace, Upper
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oimsite.core.assignment import AssignedCase, AssignedCaseQuerySet, AssignmentLogEntry
from oimsite.core.fields import CountryField
from oimsite.core.history import CaseHistory
from oimsite.core.models_base import CaseRecord, ConsentFields, PersonFields, age_on, year_bounds
from oimsite.core.names import KEY_LENGTH, NameKeyField, name_key
from oimsite.core.text import SafeTextFields
from oimsite.lists.search import FoldedField

from .vulnerability_categories import LABELS

MOROCCO = "MA"


class ReturnStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DEPARTED = "departed", _("Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Stage(models.TextChoices):
    """Where the case stands in its work. `status` stays the counting field (see STAGE_STATUS)."""

    REGISTERED = "registered", _("Registered")
    COUNSELLED = "counselled", _("Counselled")
    TRAVEL = "travel", _("Travel being prepared")
    RETURNED = "returned", _("Returned")
    REINTEGRATION = "reintegration", _("Reintegration in progress")
    COMPLETED = "completed", _("Reintegration completed")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


BEFORE_RETURN_STAGES = (Stage.REGISTERED, Stage.COUNSELLED, Stage.TRAVEL)
AFTER_RETURN_STAGES = (Stage.RETURNED, Stage.REINTEGRATION, Stage.COMPLETED)
# Open cases need an owner and appear in someone's work.
OPEN_STAGES = (*BEFORE_RETURN_STAGES, *AFTER_RETURN_STAGES)

# The stages a case may move to from each stage. A closed case reopens into reintegration (after the
# return) or registration (before it); a withdrawn one re-registers.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.REGISTERED: (Stage.COUNSELLED, Stage.TRAVEL, Stage.RETURNED, Stage.CLOSED, Stage.WITHDRAWN),
    Stage.COUNSELLED: (Stage.REGISTERED, Stage.TRAVEL, Stage.RETURNED, Stage.CLOSED, Stage.WITHDRAWN),
    Stage.TRAVEL: (Stage.COUNSELLED, Stage.RETURNED, Stage.CLOSED, Stage.WITHDRAWN),
    Stage.RETURNED: (Stage.REINTEGRATION, Stage.COMPLETED, Stage.CLOSED),
    Stage.REINTEGRATION: (Stage.COMPLETED, Stage.CLOSED),
    Stage.COMPLETED: (Stage.REINTEGRATION, Stage.CLOSED),
    Stage.CLOSED: (Stage.REGISTERED, Stage.REINTEGRATION),
    Stage.WITHDRAWN: (Stage.REGISTERED,),
}


# Rules other apps add to a stage change (the reintegration plan's, for instance): each is called with the
# returnee and the errors dict of its clean(). Registered in their AppConfig.ready(), so that returns does
# not import the apps built on it.
STAGE_RULES: list = []


class ClosureReason(models.TextChoices):
    COMPLETED = "completed", _("Support completed")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    DECLINED = "declined", _("Declined further support")
    REMIGRATED = "remigrated", _("Migrated again")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other reason")


def status_for_stage(stage: str, departure_date) -> str:
    """The counting status a stage implies: a returnee who has left counts as returned whatever later
    stage they reach; a closed case counts as returned only if it has a departure date."""
    if stage in AFTER_RETURN_STAGES:
        return ReturnStatus.DEPARTED
    if stage == Stage.WITHDRAWN:
        return ReturnStatus.WITHDRAWN
    if stage == Stage.CLOSED:
        return ReturnStatus.DEPARTED if departure_date else ReturnStatus.OPEN
    return ReturnStatus.OPEN


class AgeBand(models.TextChoices):
    """Age bands at return used by the report (the published one is 18 to 35)."""

    CHILD = "0-17", _("0 to 17")
    YOUTH = "18-35", _("18 to 35")
    ADULT = "36-59", _("36 to 59")
    SENIOR = "60+", _("60 and over")


# Inclusive bounds of each band, in whole years at the departure date: contiguous, in ascending order,
# open-ended at both ends (with_age_band relies on it).
AGE_BAND_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    AgeBand.CHILD: (None, 17),
    AgeBand.YOUTH: (18, 35),
    AgeBand.ADULT: (36, 59),
    AgeBand.SENIOR: (60, None),
}


class VulnerabilityCategoryManager(models.Manager["VulnerabilityCategory"]):
    def get_by_natural_key(self, code: str) -> VulnerabilityCategory:
        return self.get(code=code)



class VulnerabilityCategory(SafeTextFields):
    """A kind of vulnerability that justifies reinforced support (child, woman at risk, medical case…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)

    objects = VulnerabilityCategoryManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("vulnerability category")
        verbose_name_plural = _("vulnerability categories")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the user's language: translated for the reference categories (their stored name is
        French), as recorded for a category added by staff."""
        label = LABELS.get(self.code)
        return str(label) if label is not None else self.name

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class YearsBetween(models.Func):
    """Whole years from the date `start` to the date `end` (an age on a day), in the database's own date
    functions: on SQLite, Django's ExtractYear/ExtractMonth/ExtractDay are Python functions called per row,
    which made the report's grouping by age band several times slower than the same SQL with strftime."""

    arity = 2
    output_field = models.IntegerField()

    def _sql(self, compiler, template: str) -> tuple[str, list]:
        (start, start_params), (end, end_params) = (compiler.compile(e) for e in self.get_source_expressions())
        params = {"start": list(start_params), "end": list(end_params)}
        # Each argument appears several times: its params, in the order of the placeholders.
        ordered = [p for name in re.findall(r"\{(start|end)\}", template) for p in params[name]]
        return template.format(start=start, end=end), ordered

    def as_sql(self, compiler, connection, **extra_context):  # standard SQL
        return self._sql(compiler, "(EXTRACT(YEAR FROM {end}) - EXTRACT(YEAR FROM {start}) - CASE WHEN "
                                   "(EXTRACT(MONTH FROM {end}) * 100 + EXTRACT(DAY FROM {end})) < "
                                   "(EXTRACT(MONTH FROM {start}) * 100 + EXTRACT(DAY FROM {start})) THEN 1 ELSE 0 END)")

    def as_postgresql(self, compiler, connection, **extra_context):
        # The same arithmetic with date_part(), whose double precision is cheaper than EXTRACT's numeric: this
        # cell is computed for every row of an export and of the report's grouping by age band.
        return self._sql(compiler, "CAST(date_part('year', {end}) - date_part('year', {start}) - CASE WHEN "
                                   "(date_part('month', {end}) * 100 + date_part('day', {end})) < "
                                   "(date_part('month', {start}) * 100 + date_part('day', {start})) "
                                   "THEN 1 ELSE 0 END AS integer)")

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._sql(compiler, "(CAST(strftime('%%Y', {end}) AS INTEGER) "
                                   "- CAST(strftime('%%Y', {start}) AS INTEGER) "
                                   "- (strftime('%%m-%%d', {end}) < strftime('%%m-%%d', {start})))")


def ready_to_travel_condition(today: date | None = None) -> Q:
    """travel_blockers() in SQL, for a returnee: the checklist's declaration, travel document valid on the planned
    departure (today if none is planned) and fitness other than unfit."""
    day = Coalesce(F("checklist__planned_departure_date"), Value(today or timezone.localdate()))
    return (Q(checklist__declaration_signed_on__isnull=False, checklist__declaration_document__isnull=False,
              checklist__travel_document_type__gt="", checklist__travel_document_number__gt="",
              checklist__travel_document_expires__gte=day)
            & ~Q(checklist__fitness="unfit"))


def travel_document_key(number: str | models.Expression = "travel_document_number") -> Upper:
    """A travel document number as it is compared, in SQL: its spaces, hyphens and dots left out, in capitals
    ("ab 12-345" and "AB12345" are one number). `number`: a field's path, or an expression (a given number as
    `Value`, so that it is folded by the same SQL as the stored ones)."""
    number = F(number) if isinstance(number, str) else number
    for separator in (" ", "-", "."):
        number = Replace(number, Value(separator), Value(""))
    return Upper(number)


class ReturneeQuerySet(AssignedCaseQuerySet):
    """The populations the annual report counts, and the caseloads, as chainable filters."""

    def possible_duplicates_of(self, given_name: str, family_name: str, date_of_birth,
                               exclude_pk: int | None = None) -> ReturneeQuerySet:
        """Returnees who may be this person: the same date of birth and the same name key (see
        oimsite/core/names.py)."""
        qs = self.filter(date_of_birth=date_of_birth, name_key=name_key(given_name, family_name)[:KEY_LENGTH])
        return qs.exclude(pk=exclude_pk) if exclude_pk is not None else qs

    def with_possible_duplicates(self) -> ReturneeQuerySet:
        """Returnees who share their date of birth and name key with another returnee."""
        others = self.model.objects.filter(date_of_birth=OuterRef("date_of_birth"), name_key=OuterRef("name_key")
                                           ).exclude(pk=OuterRef("pk"))
        return self.filter(models.Exists(others))

    def sharing_a_travel_document(self) -> ReturneeQuerySet:
        """Returnees whose departure checklist gives a travel document number that another returnee's gives
        too (see `travel_document_key`), annotated with that number as `travel_document_key`."""
        shared = (DepartureChecklist.objects.annotate(key=travel_document_key()).exclude(key="")
                  .values("key").order_by().annotate(holders=Count("returnee_id")).filter(holders__gt=1)
                  .values("key"))
        return self._with_travel_document_key().filter(travel_document_key__in=shared)

    def holding_travel_document(self, number: str, exclude_pk: int | None = None) -> ReturneeQuerySet:
        """Returnees whose departure checklist gives this travel document number (see `travel_document_key`)."""
        qs = (self._with_travel_document_key().exclude(travel_document_key="")
              .filter(travel_document_key=travel_document_key(Value(number))))
        return qs.exclude(pk=exclude_pk) if exclude_pk is not None else qs

    def _with_travel_document_key(self) -> ReturneeQuerySet:
        return self.annotate(travel_document_key=travel_document_key("checklist__travel_document_number"))

    def open_cases(self) -> ReturneeQuerySet:
        """Cases still being worked on: neither closed nor withdrawn."""
        return self.filter(stage__in=OPEN_STAGES)

    def awaiting_travel(self) -> ReturneeQuerySet:
        """Cases not yet returned: registered, counselled or with travel being prepared."""
        return self.filter(stage__in=BEFORE_RETURN_STAGES)

    def ready_to_travel(self, today: date | None = None) -> ReturneeQuerySet:
        """Cases whose departure checklist lets them travel (travel_blockers finds nothing)."""
        return self.filter(ready_to_travel_condition(today))

    def blocked_for_travel(self, today: date | None = None) -> ReturneeQuerySet:
        return self.exclude(ready_to_travel_condition(today))

    def from_morocco(self) -> ReturneeQuerySet:
        """Migrants assisted to leave Morocco for their country of origin (AVRR)."""
        return self.filter(host_country=MOROCCO)

    def to_morocco(self) -> ReturneeQuerySet:
        """Moroccans assisted to come back to Morocco from abroad."""
        return self.filter(return_country=MOROCCO)

    def departed(self) -> ReturneeQuerySet:
        return self.filter(status=ReturnStatus.DEPARTED, departure_date__isnull=False)

    def returned_in(self, year: int, *, through: int | None = None) -> ReturneeQuerySet:
        """Returns that happened in the calendar year (departure date within it), or in the years from `year`
        through `through`."""
        start, end = year_bounds(year)[0], year_bounds(through or year)[1]
        return self.departed().filter(departure_date__gte=start, departure_date__lt=end)

    def with_age_at_return(self) -> ReturneeQuerySet:
        """Annotate `age_at_return` in whole years, computed by the database."""
        return self.annotate(age_at_return=YearsBetween("date_of_birth", "departure_date"))

    def with_session_count(self) -> ReturneeQuerySet:
        """Annotate `session_count`, the returnee's support sessions: a correlated subquery, which counts
        for the rows read where annotate(Count()) would group the whole filtered set first."""
        # The sessions' model through the reverse relation: reintegration depends on returns, not back.
        sessions = self.model._meta.get_field("sessions").related_model
        counts = (sessions.objects.filter(returnee=OuterRef("pk")).order_by().values("returnee")
                  .annotate(n=Count("pk")).values("n"))
        return self.annotate(session_count=Coalesce(Subquery(counts, output_field=models.IntegerField()), 0))

    def aged_at_return(self, minimum: int | None = None, maximum: int | None = None) -> ReturneeQuerySet:
        """Returnees whose age at return is within [minimum, maximum] (inclusive)."""
        qs = self.with_age_at_return()
        if minimum is not None:
            qs = qs.filter(age_at_return__gte=minimum)
        if maximum is not None:
            qs = qs.filter(age_at_return__lte=maximum)
        return qs

    def in_age_band(self, band: str) -> ReturneeQuerySet:
        minimum, maximum = AGE_BAND_BOUNDS[band]
        return self.aged_at_return(minimum, maximum)

    def with_age_band(self) -> ReturneeQuerySet:
        """Annotate `age_band` (an `AgeBand` value, or null without a departure date)."""
        # The bands are contiguous and in ascending order: each WHEN needs only its upper bound, so the
        # database computes the age two or three times per row instead of twice per band.
        whens = [When(age_at_return__lte=maximum, then=Value(str(band)))
                 for band, (_minimum, maximum) in AGE_BAND_BOUNDS.items() if maximum is not None]
        last, (minimum, _maximum) = list(AGE_BAND_BOUNDS.items())[-1]
        whens.append(When(age_at_return__gte=minimum, then=Value(str(last))))
        return self.with_age_at_return().annotate(
            age_band=Case(*whens, default=Value(None), output_field=models.CharField())
        )

    def with_vulnerability(self) -> ReturneeQuerySet:
        return self.filter(vulnerabilities__isnull=False).distinct()

    def counselled_virtually_before_departure(self) -> ReturneeQuerySet:
        """Returnees with a virtual pre-departure counselling session held by IOM in their country of origin."""
        from reintegration.models import SupportSession

        return self.filter(SupportSession.objects.virtual_predeparture_counselling().exists_for_returnee())

    def supported_after_return_in(self, year: int) -> ReturneeQuerySet:
        """Returnees with at least one post-return support session dated in the year."""
        from reintegration.models import SupportSession

        return self.filter(SupportSession.objects.post_return().in_year(year).exists_for_returnee())

    def enhanced_support_in(self, year: int) -> ReturneeQuerySet:
        """Returnees given reinforced post-return support, because of a vulnerability, in the year."""
        from reintegration.models import SupportSession

        return self.filter(SupportSession.objects.post_return().in_year(year).enhanced().exists_for_returnee())


REINFORCED_NEEDS_VULNERABILITY = _(
    "This returnee has reinforced support sessions: keep at least one recorded vulnerability."
)

case_number_validator = RegexValidator(
    r"^[A-Z]{3}-\d{4}-\d{5}$", _("Enter a case number such as RVA-2024-00042 (three letters, year, five digits).")
)


class Returnee(AssignedCase, PersonFields, ConsentFields, CaseRecord):
    """One person assisted to return: from Morocco (host = MA) or to Morocco (return = MA)."""

    assignment_log = "returns.ReturneeAssignment"

    case_number = models.CharField(
        _("case number"), max_length=20, unique=True, validators=[case_number_validator],
        help_text=_("For example RVA-2024-00042."),
    )
    nationality = CountryField(_("nationality"))
    host_country = CountryField(_("host country"), help_text=_("The country the person leaves."))
    return_country = CountryField(_("country of return"), help_text=_("The country the person returns to."))
    departure_date = models.DateField(
        _("departure date"), null=True, blank=True, help_text=_("Empty until the return has happened.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.OPEN,
        help_text=_("What the annual report counts; follows the stage."),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.REGISTERED)
    stage_changed_on = models.DateField(_("stage changed on"), null=True, blank=True, editable=False)
    closure_reason = models.CharField(_("closure reason"), max_length=16, choices=ClosureReason.choices,
                                      blank=True, help_text=_("Required when the case is closed."))
    vulnerabilities = models.ManyToManyField(
        VulnerabilityCategory, verbose_name=_("vulnerabilities"), blank=True, related_name="returnees"
    )
    notes = models.TextField(_("notes"), blank=True)
    # Kept by the database on every write (oimsite/core/names.py): finds the same person spelt another way.
    name_key = NameKeyField(_("name key"))
    # The searched columns folded, kept by the database (oimsite/lists/search.py): SQLite's search reads them.
    case_number_folded = FoldedField("case_number")
    family_name_folded = FoldedField("family_name")
    given_name_folded = FoldedField("given_name")
    name_ar_folded = FoldedField("name_ar")

    # The vulnerabilities are part of the audit trail: they decide who may get reinforced support.
    history = CaseHistory(
        excluded_fields=["version", "created_at", "updated_at", "name_key", "case_number_folded",
                         "family_name_folded", "given_name_folded", "name_ar_folded"],
        m2m_fields=[vulnerabilities],
    )
    objects = ReturneeQuerySet.as_manager()

    class Meta:
        ordering = ["-departure_date", "case_number"]
        verbose_name = _("returnee")
        verbose_name_plural = _("returnees")
        permissions = [
            ("export_returnee", _("Can export returnees (personal data)")),
            ("reassign_returnee", _("Can reassign returnees to another staff member")),
            ("import_returnee", _("Can import returnees from a spreadsheet")),
            ("merge_returnee", _("Can merge two records of the same person")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(host_country=F("return_country")),
                name="returnee_host_differs_from_return",
                violation_error_message=_("The host country and the country of return must differ."),
            ),
            models.CheckConstraint(
                condition=Q(departure_date__isnull=True) | Q(departure_date__gte=F("date_of_birth")),
                name="returnee_departure_after_birth",
                violation_error_message=_("The departure date cannot be before the date of birth."),
            ),
            models.CheckConstraint(
                condition=Q(status=ReturnStatus.DEPARTED, departure_date__isnull=False)
                | (~Q(status=ReturnStatus.DEPARTED) & Q(departure_date__isnull=True)),
                name="returnee_departed_has_departure_date",
                violation_error_message=_(
                    "A returned case needs a departure date, and only a returned case may have one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(sex__in=["F", "M"]), name="returnee_sex_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReturnStatus.values), name="returnee_status_valid"
            ),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="returnee_stage_valid"),
            # The stage and the counting status never disagree, whoever writes the row.
            models.CheckConstraint(
                condition=Q(stage__in=BEFORE_RETURN_STAGES, status=ReturnStatus.OPEN)
                | Q(stage__in=AFTER_RETURN_STAGES, status=ReturnStatus.DEPARTED)
                | Q(stage=Stage.WITHDRAWN, status=ReturnStatus.WITHDRAWN)
                | Q(stage=Stage.CLOSED, status__in=[ReturnStatus.OPEN, ReturnStatus.DEPARTED]),
                name="returnee_stage_matches_status",
                violation_error_message=_("The stage does not match the status (returned, open or withdrawn)."),
            ),
            models.CheckConstraint(
                condition=Q(stage=Stage.CLOSED, closure_reason__gt="")
                | (~Q(stage=Stage.CLOSED) & Q(closure_reason="")),
                name="returnee_closed_has_reason",
                violation_error_message=_("A closed case needs a closure reason, and only a closed case has one."),
            ),
        ]
        indexes = [
            models.Index(fields=["host_country", "departure_date"], name="returnee_host_dep_idx"),
            models.Index(fields=["return_country", "departure_date"], name="returnee_return_dep_idx"),
            models.Index(fields=["family_name", "given_name"], name="returnee_name_idx"),
            # The default order of lists and the admin, read from an index instead of sorting the table. It
            # also serves ranges of departure dates: an index on the date alone would tempt PostgreSQL to
            # walk it and sort each day's ties, reading every row of the day.
            models.Index(fields=["-departure_date", "case_number"], name="returnee_dep_case_idx"),
            models.Index(fields=["status", "-departure_date"], name="returnee_status_dep_idx"),
            models.Index(fields=["assigned_to", "stage"], name="returnee_owner_stage_idx"),
            models.Index(fields=["stage", "assigned_to"], name="returnee_stage_owner_idx"),
            # Possible duplicates: the same date of birth and name key.
            models.Index(fields=["date_of_birth", "name_key"], name="returnee_dob_name_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} — {self.given_name} {self.family_name}"

    def get_absolute_url(self) -> str:
        return reverse("returns:returnee_detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The stage as stored: clean() checks a change against it without another query.
        instance._stored_stage = instance.__dict__.get("stage")
        return instance

    @property
    def stored_stage(self) -> str | None:
        return getattr(self, "_stored_stage", None)

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def is_from_morocco(self) -> bool:
        return self.host_country == MOROCCO

    @property
    def age_when_returned(self) -> int | None:
        """Age in whole years on the departure date (the SQL annotation is `age_at_return`)."""
        if self.departure_date is None or self.date_of_birth is None:
            return None
        return age_on(self.date_of_birth, self.departure_date)

    def has_reinforced_support(self) -> bool:
        return self.pk is not None and self.sessions.filter(enhanced=True).exists()

    def has_recorded_vulnerability(self) -> bool:
        """True if a vulnerability is recorded, including one chosen in a form that is not yet saved."""
        pending = getattr(self, "_pending_vulnerabilities", None)
        if pending is not None:
            return bool(pending)
        return self.pk is not None and self.vulnerabilities.exists()

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.host_country and self.return_country and self.host_country == self.return_country:
            errors.setdefault("return_country", []).append(
                _("The country of return must differ from the host country.")
            )
        if self.departure_date and self.date_of_birth and self.departure_date < self.date_of_birth:
            errors.setdefault("departure_date", []).append(
                _("The departure date cannot be before the date of birth.")
            )
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            errors.setdefault("date_of_birth", []).append(_("The date of birth cannot be in the future."))
        if self.departure_date and self.departure_date > timezone.localdate():
            errors.setdefault("departure_date", []).append(_("The departure date cannot be in the future."))
        self._clean_stage(errors)
        if self.status == ReturnStatus.DEPARTED and not self.departure_date:
            errors.setdefault("departure_date", []).append(
                _("A returned case needs a departure date.")
            )
        if self.status != ReturnStatus.DEPARTED and self.departure_date:
            errors.setdefault("status", []).append(
                _("Only a returned case may have a departure date: set the status to “Returned” or clear the date.")
            )
        if self.consent_scope and not self.consent_date:
            errors.setdefault("consent_date", []).append(_("Give the date on which consent was recorded."))
        if self.pk is not None:
            self._check_sessions(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_stage(self, errors: dict[str, list]) -> None:
        """The stage's rules; the status follows the stage (forms show only the stage)."""
        if not self.stage:
            return
        stored = self.stored_stage
        if stored and self.stage != stored and self.stage not in TRANSITIONS.get(stored, ()):
            errors.setdefault("stage", []).append(
                _("A case cannot go from “%(from)s” to “%(to)s”.")
                % {"from": Stage(stored).label, "to": Stage(self.stage).label}
            )
        if self.stage in AFTER_RETURN_STAGES and not self.departure_date:
            errors.setdefault("departure_date", []).append(
                _("A case at the stage “%(stage)s” needs a departure date.") % {"stage": Stage(self.stage).label}
            )
        if self.stage in (*BEFORE_RETURN_STAGES, Stage.WITHDRAWN) and self.departure_date:
            errors.setdefault("stage", []).append(
                _("A case with a departure date has returned: choose “Returned” or a later stage, or clear the date.")
            )
        if self.stage == Stage.CLOSED and not self.closure_reason:
            errors.setdefault("closure_reason", []).append(_("Give the reason for closing the case."))
        if self.stage != Stage.CLOSED and self.closure_reason:
            errors.setdefault("closure_reason", []).append(_("Only a closed case has a closure reason."))
        if self.stage == Stage.RETURNED and stored in BEFORE_RETURN_STAGES and not self.checklist_checked_with_form:
            self._check_departure_checklist(errors)
        for rule in STAGE_RULES:
            rule(self, errors)
        self.status = status_for_stage(self.stage, self.departure_date)
        if self.stage != stored:
            self.stage_changed_on = timezone.localdate()

    # Set by a form whose departure checklist comes with it (the admin's inline): the checklist is checked with
    # the form's values (DepartureChecklistInlineFormSet), not those still in the database.
    checklist_checked_with_form = False

    def _check_departure_checklist(self, errors: dict[str, list]) -> None:
        """A case moves to "returned" only with its departure checklist done (AVRR: voluntariness, a valid
        travel document, fitness to travel)."""
        try:
            checklist = self.checklist
        except DepartureChecklist.DoesNotExist:
            checklist = None
        blockers = travel_blockers(checklist, self.departure_date)
        if blockers:
            errors.setdefault("stage", []).append(blocked_message(blockers))

    def _check_sessions(self, errors: dict[str, list]) -> None:
        """The rules that read the case's sessions, in one query (none when they were prefetched): reinforced
        support needs a recorded vulnerability, and a changed departure date must not leave a session on the
        wrong side of it."""
        from reintegration.models import Phase

        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("sessions")
        if prefetched is None:
            sessions = list(self.sessions.values_list("phase", "enhanced", "date"))
        else:  # the baseline loader reads thousands of cases with their sessions
            sessions = [(session.phase, session.enhanced, session.date) for session in prefetched]
        if any(enhanced for _phase, enhanced, _day in sessions) and not self.has_recorded_vulnerability():
            errors.setdefault("vulnerabilities", []).append(REINFORCED_NEEDS_VULNERABILITY)
        departure = self.departure_date
        if departure is None:
            if any(phase == Phase.POST_RETURN for phase, _enhanced, _day in sessions):
                errors.setdefault("departure_date", []).append(
                    _("This case has post-return sessions: it needs its departure date.")
                )
            return
        if any(phase == Phase.PRE_DEPARTURE and day > departure for phase, _enhanced, day in sessions):
            errors.setdefault("departure_date", []).append(
                _("A pre-departure session of this case is dated after this departure date.")
            )
        if any(phase == Phase.POST_RETURN and day < departure for phase, _enhanced, day in sessions):
            errors.setdefault("departure_date", []).append(
                _("A post-return session of this case is dated before this departure date.")
            )


@receiver(m2m_changed, sender=Returnee.vulnerabilities.through, dispatch_uid="returns.keep_vulnerability")
def keep_a_vulnerability_for_reinforced_support(sender, instance, action: str, reverse: bool, pk_set, **kwargs):
    """The last vulnerability of a returnee with reinforced support is not removed, whatever the code path.

    Forms report this rule next to the field (Returnee.clean); this guard stops any other write. A form
    that replaces one vulnerability by another removes before it adds: its validated choice is trusted.
    """
    if reverse or action not in ("pre_remove", "pre_clear") or getattr(instance, "_pending_vulnerabilities", None):
        return
    if not instance.has_reinforced_support():
        return
    remaining = instance.vulnerabilities.exclude(pk__in=pk_set or []) if action == "pre_remove" else None
    if remaining is None or not remaining.exists():
        raise ValidationError({"vulnerabilities": [REINFORCED_NEEDS_VULNERABILITY]})


class ReturneeAssignment(AssignmentLogEntry):
    """One change of a returnee's owner (append-only)."""

    case = models.ForeignKey(Returnee, on_delete=models.CASCADE, related_name="assignments",
                             verbose_name=_("returnee"))

    class Meta(AssignmentLogEntry.Meta):
        verbose_name = _("returnee assignment")
        verbose_name_plural = _("returnee assignments")
        indexes = [models.Index(fields=["case", "-at"], name="returnee_assignment_case_idx")]


# --- The AVRR departure checklist ---------------------------------------------------------------------------

class TravelDocumentType(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    LAISSEZ_PASSER = "laissez_passer", _("Laissez-passer")
    EMERGENCY = "emergency", _("Emergency travel document")
    OTHER = "other", _("Other travel document")


class Fitness(models.TextChoices):
    FIT = "fit", _("Fit to travel")
    FIT_WITH_ESCORT = "fit_with_escort", _("Fit to travel with an escort")
    UNFIT = "unfit", _("Unfit to travel")


class Escort(models.TextChoices):
    NONE = "none", _("No escort")
    OPERATIONAL = "operational", _("Operational escort")
    MEDICAL = "medical", _("Medical escort")


class Blocker(models.TextChoices):
    """What keeps a case from travelling (the stage "returned" is refused while one remains)."""

    NO_CHECKLIST = "no_checklist", _("no departure checklist")
    DECLARATION = "declaration", _("voluntariness declaration not signed, or its document missing")
    TRAVEL_DOCUMENT = "travel_document", _("no travel document recorded")
    TRAVEL_DOCUMENT_EXPIRED = "travel_document_expired", _("travel document not valid on the departure date")
    UNFIT = "unfit", _("unfit to travel")


def travel_blockers(checklist: DepartureChecklist | None, departure: date | None) -> list[str]:
    """The Blocker values that keep a case from travelling on `departure` (or its checklist's planned date)."""
    if checklist is None:
        return [Blocker.NO_CHECKLIST]
    blockers = []
    if not checklist.declaration_signed_on or checklist.declaration_document_id is None:
        blockers.append(Blocker.DECLARATION)
    if not (checklist.travel_document_type and checklist.travel_document_number and checklist.travel_document_expires):
        blockers.append(Blocker.TRAVEL_DOCUMENT)
    else:
        day = departure or checklist.planned_departure_date or timezone.localdate()
        if checklist.travel_document_expires < day:
            blockers.append(Blocker.TRAVEL_DOCUMENT_EXPIRED)
    if checklist.fitness == Fitness.UNFIT:
        blockers.append(Blocker.UNFIT)
    return blockers


def blocked_message(blockers: list[str]) -> str:
    return _("This case cannot be marked as returned yet: %(blockers)s. Complete its departure checklist first.") % {
        "blockers": "; ".join(str(Blocker(b).label) for b in blockers)}


class DepartureChecklist(CaseRecord):
    """What must be done before a returnee travels (AVRR): voluntariness, travel document, fitness, escort,
    reception in the country of return, onward transport."""

    returnee = models.OneToOneField(Returnee, on_delete=models.CASCADE, related_name="checklist",
                                    verbose_name=_("returnee"))
    planned_departure_date = models.DateField(_("planned departure date"), null=True, blank=True)
    declaration_signed_on = models.DateField(_("voluntariness declaration signed on"), null=True, blank=True)
    declaration_document = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("signed declaration (document)"),
        help_text=_("The scanned declaration, uploaded as a document of this returnee."),
    )
    travel_document_type = models.CharField(_("travel document"), max_length=16, choices=TravelDocumentType.choices,
                                            blank=True)
    travel_document_number = models.CharField(_("travel document number"), max_length=40, blank=True)
    travel_document_expires = models.DateField(_("travel document expires on"), null=True, blank=True)
    fitness_checked_on = models.DateField(_("fitness to travel checked on"), null=True, blank=True)
    fitness = models.CharField(_("fitness to travel"), max_length=16, choices=Fitness.choices, blank=True)
    escort = models.CharField(_("escort"), max_length=12, choices=Escort.choices, default=Escort.NONE)
    reception_confirmed_on = models.DateField(
        _("reception confirmed on"), null=True, blank=True,
        help_text=_("The day the IOM office in the country of return confirmed it will receive the returnee."))
    onward_transport = models.CharField(
        _("onward transport"), max_length=200, blank=True,
        help_text=_("How the returnee travels on from the arrival point to their destination."))

    history = CaseHistory(excluded_fields=["version", "created_at", "updated_at"])

    class Meta:
        verbose_name = _("departure checklist")
        verbose_name_plural = _("departure checklists")
        constraints = [
            models.CheckConstraint(condition=Q(fitness__in=[*Fitness.values, ""]), name="checklist_fitness_valid"),
            models.CheckConstraint(condition=Q(escort__in=Escort.values), name="checklist_escort_valid"),
            models.CheckConstraint(
                condition=Q(travel_document_type__in=[*TravelDocumentType.values, ""]),
                name="checklist_travel_document_valid"),
        ]

    def __str__(self) -> str:
        return _("Departure checklist of %(case)s") % {"case": self.returnee.case_number}

    def get_absolute_url(self) -> str:
        return self.returnee.get_absolute_url()

    def blockers(self, departure: date | None = None) -> list[str]:
        return travel_blockers(self, departure or self.returnee.departure_date)

    def still_to_do(self) -> list[str]:
        """Items not yet done that do not block the stage change (shown on the movement team's list)."""
        todo = []
        if not self.fitness:
            todo.append(_("fitness to travel not assessed"))
        if not self.reception_confirmed_on:
            todo.append(_("reception not confirmed"))
        if not self.onward_transport:
            todo.append(_("onward transport not arranged"))
        return todo

    def clean(self) -> None:
        errors: dict[str, list] = {}
        try:
            returnee = self.returnee
        except models.ObjectDoesNotExist:
            returnee = None
        departure = returnee.departure_date if returnee is not None else None
        today = timezone.localdate()
        for field in ("declaration_signed_on", "fitness_checked_on", "reception_confirmed_on"):
            value = getattr(self, field)
            if value and value > today:
                errors.setdefault(field, []).append(_("This date cannot be in the future."))
            if value and departure and value > departure:
                errors.setdefault(field, []).append(
                    _("This date is after the departure (%(departure)s): the checklist is done before travelling.")
                    % {"departure": departure.strftime("%d/%m/%Y")})
        if self.declaration_document_id is not None:
            document = self.declaration_document
            if returnee is not None and document.returnee_id != returnee.pk:
                errors.setdefault("declaration_document", []).append(
                    _("Choose a document of this returnee."))
            elif document.kind != "voluntariness":
                errors.setdefault("declaration_document", []).append(
                    _("Choose a document of the kind “voluntariness declaration”."))
        if self.declaration_document_id is not None and not self.declaration_signed_on:
            errors.setdefault("declaration_signed_on", []).append(_("Give the date the declaration was signed."))
        if self.fitness and not self.fitness_checked_on:
            errors.setdefault("fitness_checked_on", []).append(_("Give the date fitness to travel was assessed."))
        if self.fitness == Fitness.FIT_WITH_ESCORT and self.escort == Escort.NONE:
            errors.setdefault("escort", []).append(_("A returnee fit to travel with an escort needs an escort."))
        if (self.travel_document_number or self.travel_document_expires) and not self.travel_document_type:
            errors.setdefault("travel_document_type", []).append(_("Choose the type of travel document."))
        if self.travel_document_type and not self.travel_document_number:
            errors.setdefault("travel_document_number", []).append(_("Give the travel document's number."))
        if self.travel_document_type and not self.travel_document_expires:
            errors.setdefault("travel_document_expires", []).append(_("Give the travel document's expiry date."))
        if errors:
            raise ValidationError(errors)
