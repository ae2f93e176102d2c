"""Deleting a case record together with the records that cannot outlive it (a returnee's sessions, a file's
refugees).

Their foreign key is RESTRICT: deleting the parent alone is refused, whatever the code path. Deleting both in
one collection is allowed: Django's collector lets a restricted row go when it is itself being deleted. Each
row is deleted through the ORM, so its history (a "deleted" version) and the year summaries follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import router, transaction
from django.db.models import Model, QuerySet
from django.db.models.deletion import Collector


def dependents(objs: Sequence[Model], relation: str) -> QuerySet:
    """The records pointing at `objs` through the reverse relation `relation` (e.g. a returnee's "sessions"),
    with their parent loaded (the admin's confirmation nests each under it)."""
    field = objs[0]._meta.get_field(relation).field
    return field.model._base_manager.filter(**{f"{field.name}__in": objs}).select_related(field.name)


def collect_with_dependents(collector: Collector, objs: Sequence[Model], relations: Iterable[str]) -> None:
    """Collect `objs` and their dependents through `relations`, the dependents first so that the collector
    sees them as deleted when it meets the RESTRICT foreign keys that point at `objs`."""
    for relation in relations:
        rows = list(dependents(objs, relation))
        if rows:
            collector.collect(rows, source=type(objs[0]), source_attr=objs[0]._meta.get_field(relation).field.name)
    collector.collect(objs)


def delete_with_dependents(origin: Model | QuerySet, relations: Iterable[str]) -> dict[str, int]:
    """Delete a record (or a queryset's records) and their dependents through `relations`, all or nothing;
    the number deleted per model. Signal receivers see `origin` as Django's own delete would give it."""
    objs = [origin] if isinstance(origin, Model) else list(origin)
    if not objs:
        return {}
    using = router.db_for_write(type(objs[0]))
    with transaction.atomic(using=using):
        collector = Collector(using=using, origin=origin)
        collect_with_dependents(collector, objs, relations)
        _total, per_model = collector.delete()
    return per_model
