"""The order in which a change to a case record locks rows: the record's parents (a session's returnee, a
refugee's file), in id order, then the record itself.

A change locks the parent it is moved to and the parent it leaves, and a versioned save claims the record's
row. Taken in any other order, two changes could each hold what the other waits for (Ali's session moved
to Sara while Sara's moves to Ali), and PostgreSQL would abort one of them. In one order, the second waits.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Model

# A child record's parent: the model label of the child -> (its foreign key's attname, the parent model).
PARENTS = {
    "reintegration.supportsession": ("returnee_id", "returns.Returnee"),
    "resettlement.refugee": ("file_id", "resettlement.ResettlementFile"),
}


def lock_parents(instance: Model) -> None:
    """Lock, in id order, the parent `instance` has in memory and the one its stored row has. Call inside
    the change's transaction, before locking the record's own row."""
    spec = PARENTS.get(instance._meta.label_lower)
    if spec is None:
        return
    attname, parent_label = spec
    pks = {getattr(instance, attname)}
    if instance.pk is not None:
        pks.add(type(instance)._base_manager.filter(pk=instance.pk).values_list(attname, flat=True).first())
    pks.discard(None)
    if pks:
        # One statement, rows locked as they come: in the ORDER BY.
        parents = apps.get_model(parent_label)._base_manager.select_for_update().filter(pk__in=pks)
        list(parents.order_by("pk").values_list("pk", flat=True))
