"""Building blocks shared by the case models of the three apps."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from oimsite.core.text import SafeTextFields
from oimsite.core.workarounds import check_constraints_hold


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class ConsentScope(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance only")
    FOLLOW_UP = "follow_up", _("Assistance and follow-up")
    DATA_SHARING = "data_sharing", _("Assistance, follow-up and sharing with partners")


class CaseRecord(SafeTextFields):
    """Timestamps and an edit version shared by every case record; its text fields refuse control characters.

    `version` is bumped on each save through a form so that a stale edit can be refused
    instead of silently overwriting a colleague's change.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    # One transaction per save or delete, also outside a request (shell, commands): the change and its
    # history row (django-simple-history writes it after the save) commit together or not at all.
    # Inside a caller's transaction a save joins it without a savepoint, as Django's own save does: a caller
    # that goes on after a failed save wraps that save in an atomic block of its own. A delete keeps its
    # savepoint: its refusal (ProtectedError, RestrictedError) comes before any write, and a caller may go on.
    def save(self, *args: Any, **kwargs: Any) -> None:
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(type(self), instance=self)):
            return super().delete(*args, **kwargs)

    def validate_constraints(self, exclude: Any = None) -> None:
        """Django's validation of the model's constraints, with its check constraints first asked together, in
        one query: only a record that breaks one of them asks them one by one, to name it (see
        `check_constraints_hold`). The errors raised are Django's."""
        using = router.db_for_write(type(self), instance=self)
        checks = [constraint for constraint in self._meta.constraints
                  if isinstance(constraint, models.CheckConstraint)]
        if len(checks) < 2 or not check_constraints_hold(self, checks, exclude=exclude, using=using):
            super().validate_constraints(exclude=exclude)
            return
        errors: dict[str, list[ValidationError]] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                if constraint in checks:
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    # As Django files them: a unique field's error under the field, the others as they come.
                    if getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class ConsentFields(models.Model):
    """The data subject's recorded consent (IOM data protection principles)."""

    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    consent_scope = models.CharField(_("consent scope"), max_length=20, choices=ConsentScope.choices, blank=True)

    class Meta:
        abstract = True


# Letters and marks of the Arabic script (its basic block, supplement and extended-A; not its digits, its
# punctuation nor the presentation forms, which a keyboard does not type), spaces, hyphens and apostrophes.
arabic_letters = RegexValidator(
    r"^[\u0621-\u065f\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff '’-]+\Z",
    message=_("Write this name in Arabic letters only; the name in Latin letters goes in the given and family "
              "names."),
)


class PersonFields(models.Model):
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    # The whole name as the person writes it in Arabic script, when they do: optional, beside the Latin
    # spelling that the lists sort by. One field: an Arabic name (with its ibn/bint, its al-) is written
    # whole, not split the way the Latin one is.
    name_ar = models.CharField(
        _("name in Arabic script"), max_length=200, blank=True, validators=[arabic_letters],
        help_text=_("Optional: the full name as the person writes it in Arabic letters."),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on a given day."""
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def year_bounds(year: int) -> tuple[date, date]:
    """First day of the year and first day of the next: a half-open range an index can serve."""
    return date(year, 1, 1), date(year + 1, 1, 1)
