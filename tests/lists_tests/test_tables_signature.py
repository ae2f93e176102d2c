"""The cached signature of django-tables2's cells gives what django-tables2's own gives, once per function."""

import functools

import django_tables2 as tables
from django_tables2 import utils

from oimsite.lists import tables_signature


class Columnish:
    def render(self, value, record):
        return value

    def value(self, *args, value, **kwargs):
        return value

    @classmethod
    def build(cls, table):
        return table


def plain(value, bound_row=None):
    return value


def test_it_is_installed():
    assert utils.signature is tables_signature.signature


def test_same_answer_as_django_tables2_for_every_kind_of_callable():
    one, other = Columnish(), Columnish()
    callables = [one.render, other.render, one.value, Columnish.build, plain, lambda record: record,
                 functools.partial(plain, 1), tables.Column().render, tables.Column().value,
                 tables.DateColumn().render]
    for fn in callables:
        assert tables_signature.signature(fn) == tables_signature._uncached(fn), fn
        assert tables_signature.signature(fn) == tables_signature._uncached(fn), fn  # from the cache


def test_computed_once_per_function(monkeypatch):
    calls = []

    def counting(fn):
        calls.append(fn)
        return ("value", "record"), None

    monkeypatch.setattr(tables_signature, "_uncached", counting)
    monkeypatch.setattr(tables_signature, "_of_methods", tables_signature.weakref.WeakKeyDictionary())
    for _ in range(3):
        tables_signature.signature(Columnish().render)  # a new instance, a new bound method each time
    assert len(calls) == 1
