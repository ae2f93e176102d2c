"""django-tables2 works out which arguments a column's `render()`/`value()` takes with `inspect.signature`,
on every cell: half of a 100,000-row CSV export's time, and a tenth of a list page's.

The answer depends on the function alone, so it is kept per function, as Django keeps its own
(`django.utils.inspect`). Bound methods are keyed by their function (every column instance has the same
`render`), and weakly, so that functions made on the fly do not pile up. `install()` (from the app's
`ready()`) puts this in place of `django_tables2.utils.signature`, which `call_with_appropriate` calls.
"""

from __future__ import annotations

import contextlib
import inspect
import weakref
from collections.abc import Callable
from typing import Any

from django_tables2 import utils

_uncached: Callable[[Any], tuple[tuple[str, ...], str | None]] = utils.signature
_of_methods: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_of_functions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def signature(fn: Any) -> tuple[tuple[str, ...], str | None]:
    """`django_tables2.utils.signature(fn)`, computed once per function."""
    if inspect.ismethod(fn):
        cache, key = _of_methods, fn.__func__
    elif inspect.isfunction(fn):
        cache, key = _of_functions, fn
    else:  # partials, callable objects: rare, left uncached
        return _uncached(fn)
    try:
        return cache[key]
    except (KeyError, TypeError):
        result = _uncached(fn)
        with contextlib.suppress(TypeError):  # not weakly referenceable: left uncached
            cache[key] = result
        return result


def install() -> None:
    utils.signature = signature
