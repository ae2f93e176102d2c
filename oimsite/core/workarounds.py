"""Workarounds: the project's only uses of Django's private API, each with what it works around, why the public
API does not do, and when it can go. tests/core_tests/test_workarounds.py pins the behaviour each one relies on,
so that a Django upgrade that changes it fails a test there rather than corrupting what its caller writes.

`insert_raw`: many rows in one INSERT, each written as a raw save (`Model.save_base(raw=True)`) writes one.

- What for: the baseline loader (oimsite/baseline/loading.py, `_RawInserts`) writes a fixture's new records
  as `loaddata` does, the stored values as they are (the fixture's `created_at` and `updated_at`), with the
  pre_save and post_save signals sent with raw=True (the loader sends them itself), but many rows per INSERT
  instead of one query per record.
- Why not the public API: `QuerySet.bulk_create()` runs every field's `pre_save(add=True)`, so the `auto_now`
  `updated_at` and the `auto_now_add` `created_at` take the time of the load and the fixture's are lost;
  `Model.save_base(raw=True)` keeps the values but writes one row per query. `QuerySet._insert(raw=True)`,
  which a raw save itself reaches (through `Model._do_insert`), does both: one statement, no field pre_save.
- When it can go: when Django's public API has a multi-row insert that keeps the values as they are (a `raw`
  option of `bulk_create`, or one that skips the fields' pre_save), or when the loader goes back to
  `save_base(raw=True)` one record at a time. The pinning tests also check that `bulk_create` still overwrites
  `updated_at`: when that one fails, the public API may do, and this can go.

`check_constraints_hold`: whether a record meets all of its model's check constraints, asked in one query.

- What for: `CaseRecord.validate_constraints()` (oimsite/core/models_base.py). Django validates each
  `CheckConstraint` with a query of its own that names every field value of the record: eight on a returnee,
  for every form save and every imported row, when nearly all records meet them all. One query asks whether
  the record meets them all; only when it does not are they asked one by one, as Django does, to name the
  rule broken.
- Why not the public API: `Q.check()` is public, but the field values it is given are built by the private
  `Model._get_field_expression_map()`, as `CheckConstraint.validate()` itself builds them; building them by hand
  would miss what it handles (generated fields, foreign keys by their id, the excluded fields).
- When it can go: when Django validates a model's check constraints together, or makes the field expression map
  public.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Q


def insert_raw(model: type[models.Model], instances: Sequence[models.Model], *, fields: Sequence[models.Field],
               using: str) -> None:
    """INSERT `instances` of `model` in one statement, with the values of `fields` as they stand on each
    instance: no field's pre_save runs, no signal is sent, nothing is read back (each instance's pk must be set;
    the caller keeps the batch within the database's parameter limit and sets `instance._state`)."""
    model._base_manager.using(using)._insert(list(instances), fields=list(fields), using=using, raw=True)


def check_constraints_hold(instance: models.Model, constraints: Sequence[models.CheckConstraint], *,
                           exclude: set[str] | None, using: str) -> bool:
    """Whether `instance` meets every one of `constraints` (all of its model's own), in one query. False also
    when a constraint names an excluded field (Django then skips that constraint): the caller validates them
    one by one, as Django does."""
    condition = Q(*(constraint.condition for constraint in constraints))
    # Only the values the conditions name: Q.check() makes each value given a term of its query.
    named = condition.referenced_base_fields
    against = {name: value for name, value in
               instance._get_field_expression_map(meta=instance._meta, exclude=exclude).items() if name in named}
    try:
        # Each condition holds (or is unknown, as Django counts it) iff their AND does: Q.check() counts an
        # unknown result as met, and an AND is false as soon as one of its terms is.
        return condition.check(against, using=using)
    except FieldError:
        return False
