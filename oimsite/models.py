"""Site-wide models: the figures the office published, to check the computed indicators against."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    value = models.DecimalField(_("published value"), max_digits=12, decimal_places=2)
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

    @property
    def is_percent(self) -> bool:
        return self.unit == FigureUnit.PERCENT

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
