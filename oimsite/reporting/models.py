"""Site-wide models: the figures the office published, to check the computed indicators against."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from oimsite.core.params import YEAR_MIN, year_max

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


class PublishedFigure(models.Model):
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
        from oimsite.reporting.indicators import key_problem  # the indicator module imports this model

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


class YearSummary(models.Model):
    """The counts behind one year's report, kept so that a large year's dashboard need not recount its
    records on every view (see oimsite/reporting/summaries.py). The year's counts are `counts` plus its
    `YearSummaryChange` rows; `generation` moves with every change to the year's counts, in the change's own
    transaction, so that a recount overtaken by a change is not stored."""

    year = models.IntegerField(_("year"), primary_key=True)
    generation = models.PositiveIntegerField(_("generation"), default=0)
    counts = models.JSONField(_("counts"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("year summary")
        verbose_name_plural = _("year summaries")

    def __str__(self) -> str:
        return str(self.year)


class YearSummaryChange(models.Model):
    """What one change to the records did to a year's counts (the difference, possibly negative), written
    in the change's transaction and added to the year's summary when it is read."""

    year = models.IntegerField(_("year"), db_index=True)
    counts = models.JSONField(_("counts"))

    class Meta:
        verbose_name = _("year summary change")
        verbose_name_plural = _("year summary changes")

    def __str__(self) -> str:
        return f"{self.year} #{self.pk}"
