"""Support sessions: counselling before departure and reintegration support after return."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from oimsite.core.models_base import CaseRecord, year_bounds


class Kind(models.TextChoices):
    COUNSELLING = "counselling", _("Counselling session")
    CASH = "cash", _("Cash / financial aid")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    SOCIAL = "social", _("Social support")
    ECONOMIC = "economic", _("Economic / business support")
    HEALTH = "health", _("Health support")
    EDUCATION = "education", _("Education support")


class Phase(models.TextChoices):
    PRE_DEPARTURE = "pre_departure", _("Before departure")
    POST_RETURN = "post_return", _("After return")


class Mode(models.TextChoices):
    VIRTUAL = "virtual", _("Virtual")
    IN_PERSON = "in_person", _("In person")


class Provider(models.TextChoices):
    IOM_MOROCCO = "iom_morocco", _("IOM Morocco")
    IOM_ORIGIN = "iom_origin", _("IOM in the country of origin")
    PARTNER = "partner", _("Partner")


class SupportSessionQuerySet(models.QuerySet["SupportSession"]):
    def pre_departure(self) -> SupportSessionQuerySet:
        return self.filter(phase=Phase.PRE_DEPARTURE)

    def post_return(self) -> SupportSessionQuerySet:
        return self.filter(phase=Phase.POST_RETURN)

    def in_year(self, year: int) -> SupportSessionQuerySet:
        start, end = year_bounds(year)
        return self.filter(date__gte=start, date__lt=end)

    def virtual(self) -> SupportSessionQuerySet:
        return self.filter(mode=Mode.VIRTUAL)

    def enhanced(self) -> SupportSessionQuerySet:
        return self.filter(enhanced=True)

    def virtual_predeparture_counselling(self) -> SupportSessionQuerySet:
        """Virtual counselling before departure, held by IOM in the returnee's country of origin."""
        return self.pre_departure().virtual().filter(kind=Kind.COUNSELLING, provider=Provider.IOM_ORIGIN)

    def exists_for_returnee(self, outer: str = "pk") -> Exists:
        """`EXISTS` over these sessions for the returnee of the outer query.

        The same expression filters returnee lists and counts inside one-pass aggregates, so a list and
        the indicator that links to it cannot disagree.
        """
        return Exists(self.filter(returnee=OuterRef(outer)))


class SupportSession(CaseRecord):
    """One counselling session or one act of support for a returnee."""

    # RESTRICT: a returnee is deleted only together with their sessions (the admin lists them and deletes
    # them first, for those allowed to delete both); never one without the other.
    returnee = models.ForeignKey(
        "returns.Returnee", on_delete=models.RESTRICT, related_name="sessions", verbose_name=_("returnee")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    date = models.DateField(_("date"))
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    enhanced = models.BooleanField(
        _("reinforced support"), default=False,
        help_text=_("Reinforced support because of a recorded vulnerability."),
    )
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(excluded_fields=["version", "created_at", "updated_at"])
    objects = SupportSessionQuerySet.as_manager()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("support session")
        verbose_name_plural = _("support sessions")
        permissions = [("export_supportsession", _("Can export support sessions (personal data)"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(phase=Phase.POST_RETURN) | Q(kind=Kind.COUNSELLING),
                name="session_predeparture_is_counselling",
                violation_error_message=_("Only counselling sessions can take place before departure."),
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="session_kind_valid"),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="session_phase_valid"),
            models.CheckConstraint(condition=Q(mode__in=Mode.values), name="session_mode_valid"),
            models.CheckConstraint(condition=Q(provider__in=Provider.values), name="session_provider_valid"),
        ]
        indexes = [
            models.Index(fields=["phase", "date"], name="session_phase_date_idx"),
            models.Index(fields=["returnee", "phase", "date"], name="session_returnee_phase_idx"),
            # Lists sort by date with the id breaking ties (SupportSessionTable's order_by); also serves date alone.
            models.Index(fields=["date", "id"], name="session_date_id_idx"),
            models.Index(fields=["kind", "date"], name="session_kind_date_idx"),
            # The report's "virtual counselling before departure" test, one probe per returnee.
            models.Index(fields=["returnee"], name="session_virtual_counsel_idx",
                         condition=Q(phase=Phase.PRE_DEPARTURE, kind=Kind.COUNSELLING, mode=Mode.VIRTUAL,
                                     provider=Provider.IOM_ORIGIN)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("reintegration:session_detail", args=[self.pk])

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.phase == Phase.PRE_DEPARTURE and self.kind and self.kind != Kind.COUNSELLING:
            errors.setdefault("kind", []).append(_("Only counselling sessions can take place before departure."))
        returnee = self._returnee_or_none()
        if returnee is not None and self.date:
            departure = returnee.departure_date
            if self.phase == Phase.PRE_DEPARTURE and departure and self.date > departure:
                errors.setdefault("date", []).append(
                    _("A pre-departure session cannot be dated after the departure (%(departure)s).")
                    % {"departure": departure.strftime("%d/%m/%Y")}
                )
            if self.phase == Phase.POST_RETURN:
                if not departure:
                    errors.setdefault("phase", []).append(
                        _("A post-return session needs a returnee whose return has happened (no departure date).")
                    )
                elif self.date < departure:
                    errors.setdefault("date", []).append(
                        _("A post-return session cannot be dated before the departure (%(departure)s).")
                        % {"departure": departure.strftime("%d/%m/%Y")}
                    )
        if self.enhanced and returnee is not None and not returnee.has_recorded_vulnerability():
            errors.setdefault("enhanced", []).append(
                _("Reinforced support needs a returnee with a recorded vulnerability.")
            )
        if errors:
            raise ValidationError(errors)

    def _returnee_or_none(self):
        # In an admin inline the returnee may be a new, unsaved instance; on a bare form it is unset.
        try:
            return self.returnee
        except models.ObjectDoesNotExist:
            return None
