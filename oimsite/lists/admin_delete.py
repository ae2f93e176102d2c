"""The admin's delete, for a record that is deleted together with its dependents (oimsite/core/deletion.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import NestedObjects, quote
from django.db import router
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from oimsite.core.deletion import collect_with_dependents, delete_with_dependents


class DeleteWithDependentsMixin:
    """A ModelAdmin whose records are deleted with their dependents (`deleted_with`: the related names of
    RESTRICT foreign keys, such as a returnee's "sessions").

    Django's confirmation page lists the dependents under each record; a user who may not delete them is told
    so on that page, as for any related object, and nothing is deleted. Without this, the page only said that
    the record could not be deleted, with no way forward.
    """

    deleted_with: tuple[str, ...] = ()

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[list, dict, set, list]:
        objs = list(objs)
        if not objs or not self.deleted_with:
            return super().get_deleted_objects(objs, request)
        # django.contrib.admin.utils.get_deleted_objects, with the dependents collected first.
        collector = NestedObjects(using=router.db_for_write(self.model), origin=objs)
        collect_with_dependents(collector, objs, self.deleted_with)
        admin_site = self.admin_site
        perms_needed: set[str] = set()

        def format_callback(obj: Model) -> str:
            opts = obj._meta
            text = f"{capfirst(opts.verbose_name)}: {obj}"
            if not admin_site.is_registered(type(obj)):
                return text
            if not admin_site.get_model_admin(type(obj)).has_delete_permission(request, obj):
                perms_needed.add(opts.verbose_name)
            try:
                url = reverse(f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
            except NoReverseMatch:
                return text
            return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

        to_delete = collector.nested(format_callback)
        protected = [format_callback(obj) for obj in collector.protected]
        model_count = {model._meta.verbose_name_plural: len(rows) for model, rows in collector.model_objs.items()}
        return to_delete, model_count, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        delete_with_dependents(obj, self.deleted_with)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        delete_with_dependents(queryset, self.deleted_with)
