"""Admin search that an index can serve when some search fields are on a related model.

Django ORs every search field of a term in one WHERE clause over a join (`r.family_name LIKE … OR
f.file_number LIKE …`; through a reverse relation it also needs DISTINCT). An OR that mixes two tables'
columns cannot be answered from their indexes, so the database scans the whole changelist in order until it
has a page of matches: the slowest admin page at scale (an OR of `IN (subquery)` branches is no better:
neither database turns it into index lookups). Here each term becomes `id IN (SELECT id … UNION SELECT …)`,
one SELECT per table (`SELECT id FROM refugees WHERE family_name LIKE …`, `SELECT file_id FROM refugees
WHERE …` through a reverse foreign key, `… WHERE file_id IN (SELECT id FROM files WHERE file_number LIKE
…)` through a forward one), each served by that table's indexes, and no row comes twice. Same matches as
Django's search, term by term.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.text import smart_split, unescape_string_literal

# Django's prefixes of search_fields and the lookups they stand for ("@" full-text is not used here).
_PREFIX_LOOKUPS = {"^": "istartswith", "=": "iexact"}


def _split(field: str) -> tuple[str, str]:
    """(`path`, `lookup`) of a search field such as "^file__file_number"."""
    lookup = _PREFIX_LOOKUPS.get(field[:1])
    return (field[1:], lookup) if lookup else (field, "icontains")


def _terms(search_term: str) -> list[str]:
    """The search's words, quoted phrases kept whole (as the admin splits them)."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        terms.append(bit)
    return terms


class IndexedSearchMixin:
    """For a ModelAdmin whose search_fields reach through foreign keys (either direction)."""

    model: type[Model]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str,
                           ) -> tuple[QuerySet, bool]:
        fields = [_split(f) for f in self.get_search_fields(request)]  # type: ignore[attr-defined]
        relations = {path.partition("__")[0] for path, _lookup in fields if "__" in path}
        if not search_term or not relations or any(self._key_pair(r) is None for r in relations):
            return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        model = self.model._default_manager
        for term in _terms(search_term):
            local, remote = Q(), defaultdict(Q)
            for path, lookup in fields:
                relation, _sep, rest = path.partition("__")
                if rest and relation in relations:
                    remote[relation] |= Q(**{f"{rest}__{lookup}": term})
                else:
                    local |= Q(**{f"{path}__{lookup}": term})
            # One SELECT of matching ids per table, each served by that table's indexes.
            branches = [model.filter(local).values("pk").order_by()] if local else []
            for relation, condition in remote.items():
                related = self.model._meta.get_field(relation).related_model._default_manager.filter(condition)
                here, there = self._key_pair(relation)  # type: ignore[misc]
                if here == "pk":  # reverse foreign key: the related rows name ours
                    branches.append(related.values(there).order_by())
                else:
                    branches.append(model.filter(**{f"{here}__in": related.values(there)}).values("pk").order_by())
            queryset = queryset.filter(pk__in=branches[0].union(*branches[1:]) if len(branches) > 1 else branches[0])
        return queryset, False

    def _key_pair(self, name: str) -> tuple[str, str] | None:
        """How this model's rows meet the related model's in a subquery: (field here, field there), or
        None when `name` is not a foreign key in either direction (many-to-many: Django's own search)."""
        try:
            field: Any = self.model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if field.is_relation and field.concrete and (field.many_to_one or field.one_to_one):
            return name, "pk"
        if field.is_relation and field.one_to_many:
            return "pk", field.field.name
        return None
