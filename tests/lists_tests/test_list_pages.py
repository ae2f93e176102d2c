"""The list pages as a person meets them: the filter form's defaults, the folded filters, the sort headers, the
column headers, and what a bad parameter shows."""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from tests import helpers
from tests.helpers import in_english

pytestmark = pytest.mark.django_db

LISTS = ["returns:returnee_list", "reintegration:session_list", "resettlement:file_list",
         "resettlement:refugee_list"]


class FormDefaults(HTMLParser):
    """What the browser sends when the filter form is submitted untouched: each field's default value."""

    def __init__(self) -> None:
        super().__init__()
        self.in_form = False
        self.select: str | None = None
        self.first_option: str | None = None
        self.selected: str | None = None
        self.values: dict[str, str] = {}
        self.first_options: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("role") == "search":
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and a.get("name"):
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self.select, self.first_option, self.selected = a["name"], None, None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value") or ""
            if "selected" in a:
                self.selected = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            # A select without a selected option sends its first one.
            self.values[self.select] = self.first_option if self.selected is None else self.selected
            self.first_options[self.select] = self.first_option
            self.select = None


def form_defaults(html: str) -> FormDefaults:
    parser = FormDefaults()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("name", LISTS)
def test_the_untouched_filter_form_filters_nothing(admin_client_logged, name):
    helpers.small_world(1)
    page = admin_client_logged.get(reverse(name))
    form = form_defaults(page.content.decode())
    assert form.values, "no filter form found"
    # Every select starts on its empty choice, labelled as such.
    assert {field: value for field, value in form.first_options.items() if value} == {}
    assert page.content.decode().count("— Tous —") == len(form.first_options)
    submitted = admin_client_logged.get(reverse(name), form.values)
    assert submitted.status_code == 200, submitted.context["filter"].form.errors
    assert submitted.context["result_count"] == page.context["result_count"] > 0


def filters_details(html: str) -> str:
    return re.search(r'<details class="filters"[^>]*>', html).group(0)


@pytest.mark.parametrize(("params", "is_open"), [
    ({}, False),
    ({"q": "", "sex": "", "counselled_virtually": ""}, False),
    ({"sort": "case_number", "page": "1"}, False),
    ({"sex": "F"}, True),
    ({"returned_in": "abc"}, True),
])
def test_the_filters_fold_away_unless_one_is_set(admin_client_logged, params, is_open):
    helpers.small_world(1)
    html = admin_client_logged.get(reverse("returns:returnee_list"), params).content.decode()
    assert ("open" in filters_details(html)) is is_open
    # The records (or what stops them) come before the filters.
    assert html.index('id="results-title"') < html.index('<details class="filters"')


def test_the_filters_in_use_are_said_above_the_records(admin_client_logged):
    helpers.small_world(1)
    query = {"programme": "to_morocco", "returned_in": "2024", "sex": "F", "q": ""}
    html = in_english(admin_client_logged).get(reverse("returns:returnee_list"), query).content.decode()
    in_use = re.search(r'<p class="active-filters">.*?</p>', html, re.S).group(0)
    assert " ".join(re.sub(r"<[^>]+>", " ", in_use).split()) == (
        "Filters in use: Programme: Moroccans returning home Year of return: 2024 Sex: Female")
    assert "(3 in use)" in html


def header_cells(html: str) -> list[tuple[str, str, str]]:
    """(class, link, text) of each header cell of the records' table."""
    thead = re.search(r'<table[^>]*class="data-table".*?<thead[^>]*>(.*?)</thead>', html, re.S).group(1)
    cells = []
    for attrs, inner in re.findall(r"<th([^>]*)>(.*?)</th>", thead, re.S):
        css = re.search(r'class="([^"]*)"', attrs)
        link = re.search(r'href="([^"]*)"', inner)
        cells.append((css.group(1) if css else "", link.group(1).replace("&amp;", "&") if link else "",
                      re.sub(r"<[^>]+>", "", inner).strip()))
    return cells


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("sort", [None, "-nationality", "given_name"])
def test_only_the_sorted_column_has_an_arrow_and_a_first_click_sorts_ascending(admin_client_logged, name, sort):
    helpers.small_world(1)
    params = {"sort": sort} if sort else {}
    response = admin_client_logged.get(reverse(name), params)
    if sort and response.status_code == 400:  # not a column of this list
        return
    cells = header_cells(response.content.decode())
    sorted_cells = [cell for cell in cells if {"asc", "desc"} & set(cell[0].split())]
    assert len(sorted_cells) == 1, cells
    for css, link, text in cells:
        if not link:
            continue
        next_sort = parse_qs(urlsplit(link).query)["sort"][0]
        if (css, link, text) in sorted_cells:
            assert next_sort.startswith("-") == ("asc" in css.split()), (text, next_sort)
        else:
            assert not next_sort.startswith("-"), (text, next_sort)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", LISTS)
def test_column_headers_start_with_a_capital(admin_client_logged, name, language):
    helpers.small_world(1)
    admin_client_logged.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = admin_client_logged.get(reverse(name)).content.decode()
    headers = [text for _css, _link, text in header_cells(html)]
    assert headers and [h for h in headers if not h[0].isupper()] == []
    if name == "returns:returnee_list":
        assert ("Âge au retour" if language == "fr" else "Age at return") in headers


def test_a_bad_filter_value_shows_the_form_error_not_zero_records(admin_client_logged):
    helpers.small_world(1)
    response = in_english(admin_client_logged).get(reverse("returns:returnee_list"), {"returned_in": "abc"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Correct the filters to see the list" in html
    assert '<a href="#id_returned_in">Year of return</a>: Enter a whole number.' in html
    assert "0 records" not in html and "result-count" not in html and "CSV</a>" not in html


def test_a_reversed_date_range_shows_the_form_error(admin_client_logged):
    helpers.small_world(1)
    response = in_english(admin_client_logged).get(reverse("returns:returnee_list"),
                                       {"departure_date_after": "2024-12-31", "departure_date_before": "2024-01-01"})
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("The end of the range is before its start.") >= 1
    assert "result-count" not in html


def test_a_page_past_the_end_shows_the_last_page(admin_client_logged):
    helpers.small_world(3)  # 18 returnees: 4 pages of 5
    response = in_english(admin_client_logged).get(reverse("returns:returnee_list"), {"page": "9999", "per_page": "5"})
    assert response.status_code == 200
    table = response.context["table"]
    assert table.page.number == 4 and len(table.page.object_list) == 3
    assert "There is no page 9,999: here is the last page, 4." in response.content.decode()


def test_a_bad_sort_is_said_and_the_list_keeps_its_default_order(admin_client_logged):
    helpers.small_world(1)
    response = in_english(admin_client_logged).get(reverse("returns:returnee_list"), {"sort": "password"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This list cannot be sorted by “password”." in html
    assert response.context["result_count"] == 6 and 'data-count="6"' in html
    assert [css for css, _link, _text in header_cells(html) if "desc" in css.split()] == ["desc orderable"]
