"""Refugee resettlement: case files (a family) and the refugees on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Avg, Count, DateField, DurationField, ExpressionWrapper, F, Q, Value, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oimsite.core.assignment import AssignedCase, AssignedCaseQuerySet, AssignmentLogEntry
from oimsite.core.fields import CountryField
from oimsite.core.models_base import CaseRecord, ConsentFields, PersonFields, year_bounds
from oimsite.lists.search import FoldedField


class Stage(models.TextChoices):
    REFERRED = "referred", _("Referred")
    INTERVIEWED = "interviewed", _("Interviewed")
    ACCEPTED = "accepted", _("Accepted by the resettlement country")
    READY = "ready", _("Ready for departure")
    DEPARTED = "departed", _("Departed")
    ARRIVED = "arrived", _("Arrived")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Stages at which the family has left Morocco: counted as resettled, and needing a departure date.
DEPARTED_STAGES = (Stage.DEPARTED, Stage.ARRIVED)


BEFORE_DEPARTURE_STAGES = (Stage.REFERRED, Stage.INTERVIEWED, Stage.ACCEPTED, Stage.READY)

# Stages at which the file is still being worked on: it needs an owner.
OPEN_STAGES = (Stage.REFERRED, Stage.INTERVIEWED, Stage.ACCEPTED, Stage.READY, Stage.DEPARTED)


@dataclass(frozen=True)
class PipelineStage:
    """Files at one stage now, and how long they have been at it (None: no file with a stage date)."""

    stage: str
    label: str
    count: int
    average: timedelta | None
    median: timedelta | None

    @property
    def average_days(self) -> float | None:
        return None if self.average is None else round(self.average.total_seconds() / 86400, 1)

    @property
    def median_days(self) -> float | None:
        return None if self.median is None else round(self.median.total_seconds() / 86400, 1)


class ResettlementFileQuerySet(AssignedCaseQuerySet):
    def open_cases(self) -> ResettlementFileQuerySet:
        """Files still being worked on: not arrived, not withdrawn."""
        return self.filter(stage__in=OPEN_STAGES)

    def stage_pipeline(self, today: date | None = None) -> list[PipelineStage]:
        """Per stage, in the stages' order: how many files are at it, and the average and median time since
        they reached it (`stage_changed_on`), for the open stages. Two queries: the counts and averages
        grouped by stage, then the medians (the middle one or two files of each stage, found by ROW_NUMBER
        and COUNT over the stage's files, averaged). Files without a stage date count, but have no time."""
        waited = ExpressionWrapper(Value(today or timezone.localdate(), output_field=DateField())
                                   - F("stage_changed_on"), output_field=DurationField())
        rows = {row["stage"]: row for row in self.order_by().values("stage").annotate(
            n=Count("pk"), average=Avg(waited, filter=Q(stage__in=OPEN_STAGES)))}
        middle = (self.filter(stage__in=OPEN_STAGES, stage_changed_on__isnull=False).annotate(
            waited=waited,
            position=Window(RowNumber(), partition_by=[F("stage")], order_by=[F("waited").asc(), F("pk").asc()]),
            of=Window(Count("pk"), partition_by=[F("stage")]),
        ).filter(position__gte=(F("of") + 1) / 2, position__lte=(F("of") + 2) / 2).values("pk"))
        medians = dict(ResettlementFile.objects.filter(pk__in=middle).order_by().values("stage")
                       .annotate(median=Avg(waited)).values_list("stage", "median"))
        return [PipelineStage(stage, str(label), rows.get(stage, {}).get("n", 0),
                              rows.get(stage, {}).get("average"), medians.get(stage))
                for stage, label in Stage.choices]

    def departed(self) -> ResettlementFileQuerySet:
        return self.filter(stage__in=DEPARTED_STAGES, departure_date__isnull=False)

    def departed_in(self, year: int) -> ResettlementFileQuerySet:
        start, end = year_bounds(year)
        return self.departed().filter(departure_date__gte=start, departure_date__lt=end)


class RefugeeQuerySet(models.QuerySet["Refugee"]):
    def departed(self) -> RefugeeQuerySet:
        return self.filter(file__stage__in=DEPARTED_STAGES, file__departure_date__isnull=False)

    def departed_in(self, year: int, *, through: int | None = None) -> RefugeeQuerySet:
        """Refugees resettled in the year: on a file that departed within it (or in the years from `year`
        through `through`)."""
        start, end = year_bounds(year)[0], year_bounds(through or year)[1]
        return self.departed().filter(file__departure_date__gte=start, file__departure_date__lt=end)

    def resettled_to(self, country: str) -> RefugeeQuerySet:
        return self.filter(file__destination_country=country)


DEPARTED_NEEDS_REFUGEE = _(
    "A departed or arrived file needs at least one refugee: add the members of the family, or choose an "
    "earlier stage."
)

file_number_validator = RegexValidator(
    r"^[A-Z]{3}-\d{4}-\d{4,5}$", _("Enter a file number such as RST-2024-0042 (three letters, year, digits).")
)


class ResettlementFile(AssignedCase, ConsentFields, CaseRecord):
    """One refugee case file: a family resettled together."""

    assignment_log = "resettlement.FileAssignment"

    file_number = models.CharField(
        _("file number"), max_length=20, unique=True, validators=[file_number_validator],
        help_text=_("For example RST-2024-0042."),
    )
    destination_country = CountryField(_("resettlement country"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.REFERRED)
    stage_changed_on = models.DateField(_("stage changed on"), null=True, blank=True, editable=False)
    referral_date = models.DateField(_("referral date"))
    departure_date = models.DateField(
        _("departure date"), null=True, blank=True, help_text=_("Required once the family has departed.")
    )
    travel_booked_on = models.DateField(_("travel booked on"), null=True, blank=True)
    travel_booking_reference = models.CharField(_("booking reference"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The searched column folded, kept by the database (oimsite/lists/search.py): SQLite's search reads it.
    file_number_folded = FoldedField("file_number")

    history = HistoricalRecords(excluded_fields=["version", "created_at", "updated_at", "file_number_folded"])
    objects = ResettlementFileQuerySet.as_manager()

    class Meta:
        ordering = ["-referral_date", "file_number"]
        verbose_name = _("resettlement file")
        verbose_name_plural = _("resettlement files")
        permissions = [
            ("export_resettlementfile", _("Can export resettlement files (personal data)")),
            ("reassign_resettlementfile", _("Can reassign resettlement files to another staff member")),
            ("import_resettlementfile", _("Can import resettlement files from a spreadsheet")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage__in=DEPARTED_STAGES) | Q(departure_date__isnull=False),
                name="file_departed_has_departure_date",
                violation_error_message=_("A departed file needs a departure date."),
            ),
            models.CheckConstraint(
                condition=Q(departure_date__isnull=True) | Q(stage__in=DEPARTED_STAGES),
                name="file_departure_date_only_when_departed",
                violation_error_message=_("Only a departed or arrived file may have a departure date."),
            ),
            models.CheckConstraint(
                condition=Q(departure_date__isnull=True) | Q(departure_date__gte=F("referral_date")),
                name="file_departure_after_referral",
                violation_error_message=_("The departure date cannot be before the referral date."),
            ),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="file_stage_valid"),
            models.CheckConstraint(condition=~Q(destination_country="MA"), name="file_destination_not_morocco",
                                   violation_error_message=_("Resettlement is to a country other than Morocco.")),
        ]
        indexes = [
            models.Index(fields=["stage", "departure_date"], name="file_stage_dep_idx"),
            models.Index(fields=["destination_country", "departure_date"], name="file_dest_dep_idx"),
            models.Index(fields=["departure_date"], name="file_departure_idx"),
            models.Index(fields=["-referral_date", "file_number"], name="file_referral_number_idx"),
            models.Index(fields=["assigned_to", "stage"], name="file_owner_stage_idx"),
            models.Index(fields=["stage", "assigned_to"], name="file_stage_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.file_number

    def get_absolute_url(self) -> str:
        return reverse("resettlement:file_detail", args=[self.pk])

    # Set by a form whose refugees come with it (the admin's inline): they are checked with the form's rows,
    # after this record (RefugeeInlineFormSet), not against those still in the database.
    refugees_checked_with_form = False

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_stage = instance.__dict__.get("stage")
        return instance

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def has_departed(self) -> bool:
        return self.stage in DEPARTED_STAGES

    @property
    def is_departing(self) -> bool:
        """Moving to a departed stage from one before it: the departure checklist must be complete. Files
        recorded as departed before the checklist existed, and new files entered at that stage, are not."""
        return self.stage in DEPARTED_STAGES and getattr(self, "_stored_stage", None) in BEFORE_DEPARTURE_STAGES

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.stage in DEPARTED_STAGES and not self.departure_date:
            errors.setdefault("departure_date", []).append(_("A departed file needs a departure date."))
        if self.departure_date and self.stage not in DEPARTED_STAGES:
            errors.setdefault("stage", []).append(
                _("Only a departed or arrived file may have a departure date: set the stage or clear the date.")
            )
        if self.departure_date and self.referral_date and self.departure_date < self.referral_date:
            errors.setdefault("departure_date", []).append(
                _("The departure date cannot be before the referral date.")
            )
        if self.departure_date and self.departure_date > timezone.localdate():
            errors.setdefault("departure_date", []).append(_("The departure date cannot be in the future."))
        if self.destination_country == "MA":
            errors.setdefault("destination_country", []).append(
                _("Resettlement is to a country other than Morocco.")
            )
        if self.consent_scope and not self.consent_date:
            errors.setdefault("consent_date", []).append(_("Give the date on which consent was recorded."))
        if self.travel_booked_on and self.departure_date and self.travel_booked_on > self.departure_date:
            errors.setdefault("travel_booked_on", []).append(
                _("This date is after the departure (%(departure)s): the checklist is done before travelling.")
                % {"departure": self.departure_date.strftime("%d/%m/%Y")})
        if self.travel_booked_on and self.travel_booked_on > timezone.localdate():
            errors.setdefault("travel_booked_on", []).append(_("This date cannot be in the future."))
        if self.is_departing and not self.refugees_checked_with_form:
            missing = departure_missing(self, list(self.refugees.all()) if self.pk is not None else [])
            if missing:
                errors.setdefault("stage", []).append(departure_blocked_message(missing))
        if self.stage != getattr(self, "_stored_stage", None):
            self.stage_changed_on = timezone.localdate()
        # A new file has no refugee yet (they point at it): the rule applies from its first change, and in the
        # admin, with the rows of its inline.
        if (self.stage in DEPARTED_STAGES and self.pk is not None and not self.refugees_checked_with_form
                and not self.refugees.exists()):
            errors.setdefault("stage", []).append(DEPARTED_NEEDS_REFUGEE)
        if self.pk is not None and self.departure_date:
            born_after = self.refugees.filter(date_of_birth__gt=self.departure_date)
            if born_after.exists():
                errors.setdefault("departure_date", []).append(
                    _("A refugee on this file was born after this departure date.")
                )
        if errors:
            raise ValidationError(errors)


class Relationship(models.TextChoices):
    PRINCIPAL = "principal", _("Principal applicant")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative")


class Refugee(PersonFields, CaseRecord):
    """One person on a resettlement file."""

    # RESTRICT: a file is deleted only together with its refugees (see the sessions of a returnee).
    file = models.ForeignKey(
        ResettlementFile, on_delete=models.RESTRICT, related_name="refugees", verbose_name=_("resettlement file")
    )
    nationality = CountryField(_("nationality"))
    is_principal_applicant = models.BooleanField(_("principal applicant"), default=False)
    relationship = models.CharField(
        _("relationship to the principal applicant"), max_length=12, choices=Relationship.choices,
        default=Relationship.PRINCIPAL,
    )
    # The departure checklist, person by person.
    medical_clearance_on = models.DateField(_("medical clearance on"), null=True, blank=True)
    exit_permit_on = models.DateField(_("exit permit issued on"), null=True, blank=True)
    cultural_orientation_on = models.DateField(_("cultural orientation attended on"), null=True, blank=True)
    cultural_orientation_exempt = models.BooleanField(
        _("cultural orientation not required"), default=False,
        help_text=_("For a person who does not attend it (a young child, for instance)."))
    # The searched columns folded, kept by the database (oimsite/lists/search.py): SQLite's search reads them.
    family_name_folded = FoldedField("family_name")
    given_name_folded = FoldedField("given_name")
    name_ar_folded = FoldedField("name_ar")

    history = HistoricalRecords(excluded_fields=["version", "created_at", "updated_at", "family_name_folded",
                                                 "given_name_folded", "name_ar_folded"])
    objects = RefugeeQuerySet.as_manager()

    class Meta:
        ordering = ["file", "-is_principal_applicant", "date_of_birth"]
        verbose_name = _("refugee")
        verbose_name_plural = _("refugees")
        permissions = [
            ("export_refugee", _("Can export refugees (personal data)")),
            ("import_refugee", _("Can import refugees from a spreadsheet")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["file"], condition=Q(is_principal_applicant=True), name="refugee_one_principal_per_file",
                violation_error_message=_("A file has only one principal applicant."),
            ),
            models.CheckConstraint(
                condition=Q(is_principal_applicant=True, relationship=Relationship.PRINCIPAL)
                | (Q(is_principal_applicant=False) & ~Q(relationship=Relationship.PRINCIPAL)),
                name="refugee_principal_relationship",
                violation_error_message=_(
                    "The principal applicant is the one whose relationship is “principal applicant”."
                ),
            ),
            models.CheckConstraint(condition=Q(sex__in=["F", "M"]), name="refugee_sex_valid"),
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="refugee_name_idx"),
            # A nationality filter (the admin's, the refugee list's) read in the admin's order: the first page
            # is the index's first rows for that nationality, with no sort of all of them; `sex` at the end lets
            # nationality-and-sex be counted from the index alone. Also serves whatever a plain index on
            # nationality served (its first column).
            models.Index(fields=["nationality", "-file", "-is_principal_applicant", "date_of_birth", "-id", "sex"],
                         name="refugee_nationality_order_idx"),
            # The admin's order (newest file first, principal applicant first, then the -pk the admin appends
            # to make it total) without a sort.
            models.Index(fields=["-file", "-is_principal_applicant", "date_of_birth", "-id"],
                         name="refugee_admin_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def get_absolute_url(self) -> str:
        return reverse("resettlement:refugee_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.is_principal_applicant != (self.relationship == Relationship.PRINCIPAL):
            errors.setdefault("relationship", []).append(
                _("The principal applicant is the one whose relationship is “principal applicant”.")
            )
        try:
            file = self.file
        except models.ObjectDoesNotExist:
            file = None
        if file is not None and self.date_of_birth and file.departure_date and self.date_of_birth > file.departure_date:
            errors.setdefault("date_of_birth", []).append(
                _("The date of birth cannot be after the file's departure date.")
            )
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            errors.setdefault("date_of_birth", []).append(_("The date of birth cannot be in the future."))
        departure = file.departure_date if file is not None else None
        for field in CHECKLIST_DATES:
            value = getattr(self, field)
            if value and value > timezone.localdate():
                errors.setdefault(field, []).append(_("This date cannot be in the future."))
            if value and departure and value > departure:
                errors.setdefault(field, []).append(
                    _("This date is after the departure (%(departure)s): the checklist is done before travelling.")
                    % {"departure": departure.strftime("%d/%m/%Y")})
        if errors:
            raise ValidationError(errors)

    def departure_missing(self) -> list[str]:
        """The checklist items this person still lacks."""
        missing = []
        if not self.medical_clearance_on:
            missing.append(_("medical clearance"))
        if not self.exit_permit_on:
            missing.append(_("exit permit"))
        if not self.cultural_orientation_on and not self.cultural_orientation_exempt:
            missing.append(_("cultural orientation"))
        return missing


CHECKLIST_DATES = ("medical_clearance_on", "exit_permit_on", "cultural_orientation_on")


def departure_missing(file: ResettlementFile, refugees: list[Refugee]) -> list[str]:
    """What the file's departure checklist still lacks: travel booked, and each refugee's items."""
    missing = []
    if not file.travel_booked_on:
        missing.append(str(_("travel not booked")))
    for refugee in refugees:
        items = refugee.departure_missing()
        if items:
            missing.append(_("%(person)s: %(items)s") % {"person": refugee.full_name,
                                                          "items": ", ".join(str(i) for i in items)})
    return missing


def departure_blocked_message(missing: list[str]) -> str:
    return _("This file cannot depart with its departure checklist incomplete: %(missing)s.") % {
        "missing": "; ".join(str(m) for m in missing)}


class FileAssignment(AssignmentLogEntry):
    """One change of a resettlement file's owner (append-only)."""

    case = models.ForeignKey(ResettlementFile, on_delete=models.CASCADE, related_name="assignments",
                             verbose_name=_("resettlement file"))

    class Meta(AssignmentLogEntry.Meta):
        verbose_name = _("file assignment")
        verbose_name_plural = _("file assignments")
        indexes = [models.Index(fields=["case", "-at"], name="file_assignment_case_idx")]
