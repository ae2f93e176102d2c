from django.contrib import admin

from .models import PublishedFigure


@admin.register(PublishedFigure)
class PublishedFigureAdmin(admin.ModelAdmin):
    list_display = ("key", "year", "value", "unit", "source")
    list_filter = ("year", "unit")
    search_fields = ("key", "source")
    ordering = ("-year", "key")
