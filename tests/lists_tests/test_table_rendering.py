"""The lists' table body is written in Python (oimsite/lists/table_rendering.py): the same HTML as django-tables2's
stock template, for the four lists and for the cases the lists do not use yet (computed attributes,
localised columns, markup in values, an empty table)."""

import re
from datetime import date

import django_tables2 as tables
import pytest
from django.template.loader import get_template
from django.test import RequestFactory
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertHTMLEqual

from oimsite.lists.table_rendering import ShortDateColumn

LISTS = ["returns:returnee_list", "reintegration:session_list", "resettlement:file_list",
         "resettlement:refugee_list"]


def render(table, template_name: str, request) -> str:
    return get_template(template_name).render({"table": table}, request)


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("query", ["", "?sort=-departure_date&per_page=20", "?q=zzzz-nobody"])
def test_each_list_writes_the_stock_templates_html(db, baseline, admin_client_logged, name, query):
    if query.startswith("?sort") and name != "returns:returnee_list":
        query = "?per_page=20"
    response = admin_client_logged.get(reverse(name) + query)
    assert response.status_code == 200
    assert "oimsite/table.html" in [t.name for t in response.templates]
    table = response.context["table"]
    ours = render(table, "oimsite/table.html", response.wsgi_request)
    assertHTMLEqual(ours, render(table, "django_tables2/table.html", response.wsgi_request))
    rows = len(table.page.object_list)
    assert ours.count("<tr") == 1 + max(rows, 1)  # the header, then the page's rows or the empty text
    assert ("zzzz" in query) == (rows == 0)


class Sample(tables.Table):
    name = tables.Column(attrs={"td": {"data-length": lambda value: len(value), "class": "name"}})
    amount = tables.Column(localize=True)
    raw = tables.Column(localize=False)
    link = tables.Column(linkify=lambda record: f"/x/?a={record['raw']}&b=2")
    flag = tables.BooleanColumn()

    class Meta:
        attrs = {"class": "data-table", "tbody": {"class": "rows"}}
        empty_text = "Nothing <here>"


class SampleWithStockDates(Sample):
    when = tables.DateColumn(short=True)

    class Meta(Sample.Meta):  # a table's Meta is not inherited otherwise
        pass


class SampleWithOurDates(Sample):
    when = ShortDateColumn()

    class Meta(Sample.Meta):
        pass


ROWS = [
    {"name": "O'Brien <b>&", "amount": 12345.5, "raw": 12345, "link": "a & b", "flag": True,
     "when": date(2024, 3, 1)},
    {"name": "", "amount": None, "raw": None, "link": "", "flag": False, "when": None},
]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("rows", [ROWS, []])
def test_computed_attributes_localisation_escaping_dates_and_empty_text(language, rows):
    request = RequestFactory().get("/")
    with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=True):
        ours = render(SampleWithOurDates(rows), "oimsite/table.html", request)
        stock = render(SampleWithStockDates(rows), "django_tables2/table.html", request)
    assertHTMLEqual(ours, stock)
    if rows:
        assert '<tbody class="rows">' in ours and 'data-length="12"' in ours
        assert "&lt;b&gt;&amp;" in ours and "<b>" not in ours
        assert re.search(r"12\D345,5" if language == "fr" else r"12,345\.5", ours)  # localize=True
        assert ">12345<" in ours  # localize=False
    else:
        assert "Nothing &lt;here&gt;" in ours


def test_dates_export_as_iso_like_django_tables2s():
    assert list(SampleWithOurDates(ROWS).as_values()) == list(SampleWithStockDates(ROWS).as_values())
    assert "2024-03-01" in list(SampleWithOurDates(ROWS).as_values())[1]
