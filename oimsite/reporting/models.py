"""The reporting app's models: the figures the office published, to check the computed indicators against,
and the stored counts behind the dashboard with the generations that tell when to recount them
(docs/figures.md)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from oimsite.core.params import YEAR_MIN, year_max
from oimsite.core.text import SafeTextFields
from oimsite.reporting.keys import key_problem

SHARE_SUFFIX = ".share"

# The source of the published figures seeded by the baseline (fixtures/published_2024.json), listed here so
# that the catalogue translates it wherever it is shown.
SEEDED_SOURCES = (
    gettext_noop("IOM Morocco annual report 2024, « La diversité au cœur de nos actions » (as summarised in "
                 "the Moroccan press)"),
)


class FigureUnit(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Percent")


class PublishedFigureQuerySet(models.QuerySet["PublishedFigure"]):
    def for_year(self, year: int) -> PublishedFigureQuerySet:
        return self.filter(year=year)


class PublishedFigure(SafeTextFields):
    """A figure as printed in a published report: the source the computed indicators are checked against."""

    key = models.CharField(
        _("indicator key"), max_length=80,
        help_text=_("The key of the indicator, e.g. avrr.returned; a percentage of a count indicator ends in .share."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(YEAR_MIN), MaxValueValidator(year_max)]
    )
    value = models.DecimalField(
        _("published value"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=8, choices=FigureUnit.choices, default=FigureUnit.COUNT)
    source = models.CharField(_("source"), max_length=300, help_text=_("Where the figure was published."))

    objects = PublishedFigureQuerySet.as_manager()

    class Meta:
        ordering = ["year", "key"]
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        constraints = [
            models.UniqueConstraint(fields=["key", "year"], name="published_figure_key_year_unique",
                                    violation_error_message=_("This indicator already has a figure for this year.")),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.year}: {self.display_value}"

    def clean(self) -> None:
        errors: dict[str, list] = {}
        problem = key_problem(self.key) if self.key else None
        if problem:
            errors["key"] = [problem]
        elif self.key:
            if self.key.endswith(".share") and self.unit != FigureUnit.PERCENT:
                errors["unit"] = [_("A key ending in .share is a percentage: choose the unit “Percent”.")]
            if not self.key.endswith(".share") and self.unit != FigureUnit.COUNT:
                errors["unit"] = [_("A percentage is recorded under the indicator's key followed by .share.")]
        if self.value is not None:
            if self.unit == FigureUnit.COUNT and self.value != self.value.to_integral_value():
                errors.setdefault("value", []).append(_("A count is a whole number."))
            if self.unit == FigureUnit.PERCENT and self.value > 100:
                errors.setdefault("value", []).append(_("A percentage is at most 100."))
        if errors:
            raise ValidationError(errors)

    @property
    def is_percent(self) -> bool:
        return self.unit == FigureUnit.PERCENT

    @property
    def is_share(self) -> bool:
        """A percentage of an indicator (`<key>.share`), rather than the indicator's count."""
        return self.key.endswith(SHARE_SUFFIX)

    @property
    def base_key(self) -> str:
        """The key of the indicator the figure is checked against."""
        return self.key.removesuffix(SHARE_SUFFIX)

    @property
    def translated_source(self) -> str:
        """The source in the reader's language when the catalogue has it (the baseline's, SEEDED_SOURCES);
        one typed in the admin shows as typed."""
        # gettext("") would give the catalogue's header.
        return gettext(self.source) if self.source else ""

    @property
    def decimal_places(self) -> int:
        """Precision the figure was published with (10.4 → 1, 15 → 0)."""
        normalised = self.value.normalize()
        exponent = normalised.as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0

    @property
    def display_value(self) -> str:
        text = f"{self.value:.{self.decimal_places}f}"
        return f"{text} %" if self.is_percent else text

    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.decimal_places)


class BucketKind(models.TextChoices):
    RETURNEE = "returnee", _("Returnees (their returns and sessions)")
    FILE = "file", _("Resettlement files (their refugees)")


class BucketGeneration(models.Model):
    """How many times the records of one bucket have been written (oimsite/reporting/triggers.py).

    Written only by the database's triggers, in the transaction of each write to the records; read by the
    dashboard's reader to find the buckets whose stored counts are out of date.
    """

    pk = models.CompositePrimaryKey("kind", "bucket")
    kind = models.CharField(_("kind"), max_length=8, choices=BucketKind.choices)
    bucket = models.BigIntegerField(_("bucket"), help_text=_("The records' id divided by the bucket size."))
    generation = models.BigIntegerField(_("generation"), default=1)

    class Meta:
        verbose_name = _("bucket generation")
        verbose_name_plural = _("bucket generations")

    def __str__(self) -> str:
        return f"{self.kind} {self.bucket}: {self.generation}"


class BucketCount(models.Model):
    """What the records of one bucket count in one year's report, as of a generation of the bucket: current
    while the bucket's generation has not moved (oimsite/reporting/summaries.py)."""

    pk = models.CompositePrimaryKey("year", "kind", "bucket")
    year = models.IntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=8, choices=BucketKind.choices)
    bucket = models.BigIntegerField(_("bucket"))
    generation = models.BigIntegerField(_("generation"))
    counts = models.JSONField(_("counts"))

    class Meta:
        verbose_name = _("bucket count")
        verbose_name_plural = _("bucket counts")

    def __str__(self) -> str:
        return f"{self.year} {self.kind} {self.bucket}"
