"""In Chromium, on the 2024 baseline: the pages at a phone's width and at a desktop's, as drawn.

No page is wider than a 390 px screen; on a phone a list opens on its count and its records, its filters
folded away; date inputs show their whole date at any width; only the sorted column has an arrow; the
dashboard's charts are readable (text at least 12 px tall at 100 % zoom), cut no name, and ask nothing of
another site.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from documents.models import Document
from reintegration.models import Referral, SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import DepartureChecklist, Returnee
from tests import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

LISTS = ["/returns/", "/reintegration/", "/resettlement/", "/resettlement/refugees/",
         # Issue 18: ready to travel, the partner directory, the referrals.
         "/returns/travel/", "/reintegration/partners/", "/reintegration/referrals/"]


def detail_pages() -> list[str]:
    session = SupportSession.objects.select_related("returnee").order_by("pk").first()
    refugee = Refugee.objects.select_related("file").filter(file__refugees__isnull=False).order_by("pk").first()
    referral = Referral.objects.select_related("partner").order_by("pk").first()
    return [session.returnee.get_absolute_url(), session.get_absolute_url(), refugee.file.get_absolute_url(),
            refugee.get_absolute_url(), referral.partner.get_absolute_url(), referral.get_absolute_url()]


def issue_18_forms() -> list[str]:
    """The admin pages of issue 18: partners and referrals, the document upload, the departure checklists (the
    returnee's inline, the refugees' dates on the file's page), a document's own page."""
    checklist = DepartureChecklist.objects.order_by("pk").first()
    departed = ResettlementFile.objects.filter(refugees__isnull=False).order_by("pk").first()
    document = Document.objects.order_by("pk").first()
    return ["/admin/reintegration/partner/", "/admin/reintegration/partner/add/", "/admin/reintegration/referral/",
            "/admin/reintegration/referral/add/", "/admin/documents/document/", "/admin/documents/document/add/",
            reverse("admin:documents_document_change", args=[document.pk]),
            reverse("admin:returns_returnee_change", args=[checklist.returnee_id]),
            reverse("admin:resettlement_resettlementfile_change", args=[departed.pk])]


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_no_page_is_wider_than_a_phone(site_page, artifacts_dir):
    page = site_page(width=390)
    pages = ["/", "/reconciliation/", *LISTS, "/returns/?programme=to_morocco&returned_in=2024&sex=F",
             "/returns/?returned_in=abc", *detail_pages(), *issue_18_forms()]
    widths = {}
    for path in pages:
        status = page.goto(f"{page.site_url}{path}").status
        assert status in (200, 400), f"{path}: {status}"  # the page itself (400: a bad filter, shown as such)
        widths[path] = page_width(page)
        name = re.sub(r"\W+", "-", path).strip("-") or "dashboard"
        page.screenshot(path=str(artifacts_dir / f"390-{name}.png"))
    login = site_page(None, width=390)
    widths["/login/"] = page_width(login)
    assert {path: width for path, width in widths.items() if width > 390} == {}


def box(page: Page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("query", ["", "?programme=to_morocco&returned_in=2024"])
def test_on_a_phone_a_list_opens_on_its_count_and_records(site_page, query):
    page = site_page(width=390)
    page.goto(f"{page.site_url}/returns/{query}")
    details = page.locator("details.filters")
    # Folded unless a filter is set; after the records either way.
    assert details.evaluate("d => d.open") is bool(query)
    count, first_row = box(page, ".result-count"), box(page, "table.data-table tbody tr")
    assert count["y"] + count["height"] <= 900  # on the first screen
    assert count["y"] < first_row["y"] < details.bounding_box()["y"]
    if not query:
        page.locator("details.filters > summary").click()
        assert details.evaluate("d => d.open")
        assert page.get_by_role("search").get_by_label("Rechercher").is_visible()


DATE_TEXT_FITS = """input => {
    const style = getComputedStyle(input);
    const context = document.createElement("canvas").getContext("2d");
    context.font = `${style.fontSize} ${style.fontFamily}`;
    // The widest date the browser may show (its format depends on its language), and the picker's icon.
    const text = Math.max(...["00/00/0000", "mm/dd/yyyy", "jj/mm/aaaa"].map(t => context.measureText(t).width));
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return [room, text + 1.5 * parseFloat(style.fontSize)];
}"""


@pytest.mark.parametrize("width", [1366, 1024, 800, 390])
def test_date_inputs_show_their_whole_date_at_any_width(site_page, width):
    page = site_page(width=width)
    cut = {}
    for path in ("/returns/?sex=F", "/reintegration/?mode=virtual", "/resettlement/?stage=departed"):
        page.goto(f"{page.site_url}{path}")
        inputs = page.get_by_role("search").locator("input[type=date]")
        assert inputs.count() == 2
        for i in range(inputs.count()):
            room, needed = inputs.nth(i).evaluate(DATE_TEXT_FITS)
            if room < needed:
                cut[f"{path} #{i}"] = (round(room), round(needed))
    assert cut == {}


ARROWS = """table => [...table.querySelectorAll("thead th")].map(th => {
    const link = th.querySelector("a");
    return link ? getComputedStyle(link, "::after").content : "none";
}).filter(content => content !== "none" && content !== "normal")"""


def test_only_the_sorted_column_shows_an_arrow_and_a_first_click_sorts_ascending(site_page):
    page = site_page()
    page.goto(f"{page.site_url}/returns/")
    table = page.locator("table.data-table")
    assert table.evaluate(ARROWS) == ['" ▼"']  # the date of departure, latest first
    page.locator("table.data-table thead th a", has_text="Nom de famille").click()
    page.wait_for_url(re.compile(r"sort=family_name$"))
    assert table.evaluate(ARROWS) == ['" ▲"']
    names = page.locator("table.data-table tbody tr td:nth-child(2)").all_inner_texts()
    assert names == list(Returnee.objects.order_by("family_name", "pk").values_list("family_name", flat=True)[:50])


CHART_TEXT = """figure => {
    // A figure with nothing to chart (no survey in the year) says so in a sentence.
    const box = figure.querySelector("svg, .bar-chart");
    if (!box) return [];
    const chart = box.getBoundingClientRect();
    const texts = figure.querySelectorAll("svg text, .bar-chart p, .bar-chart li > span");
    return [...texts].map(text => {
        const r = text.getBoundingClientRect();
        return {text: text.textContent.trim(), height: r.height, fontSize: parseFloat(getComputedStyle(text).fontSize),
                inside: r.left >= chart.left - 0.5 && r.right <= chart.right + 0.5,
                clipped: text.scrollWidth > text.clientWidth + 0.5 && getComputedStyle(text).overflow !== "visible"};
    });
}"""


@pytest.mark.parametrize("width", [1366, 390])
def test_charts_are_readable_and_cut_no_name(site_page, artifacts_dir, width):
    page = site_page(width=width)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{page.site_url}/?year=2024")
    figures = page.locator("figure.breakdown")
    assert figures.count() >= 9
    problems, texts = [], []
    for i in range(figures.count()):
        for text in figures.nth(i).evaluate(CHART_TEXT):
            texts.append(text["text"])
            # At 100 % zoom: drawn at least 12 px (an SVG scaled down draws its 13 px text smaller).
            if min(text["height"], text["fontSize"]) < 12 or not text["inside"] or text["clipped"]:
                problems.append(text)
    assert problems == []
    assert "République démocratique du Congo" in texts
    assert not [text for text in texts if text.endswith("…")]
    # Everything the page needs comes from the site itself: no font, script or image from elsewhere.
    assert [url for url in requested if not url.startswith(page.site_url)] == []
    page.locator("#breakdown-avrr-by_country").screenshot(path=str(artifacts_dir / f"chart-countries-{width}.png"))



def test_the_pages_in_every_state_have_no_axe_violation(site_page):
    """The states the other axe test does not reach: filters open, with errors, a bad parameter, a last page;
    each page loaded once and checked on a desktop screen, then at phone width (the window resized)."""
    page = site_page(bypass_csp=True)
    refused = ["/returns/?returned_in=abc&departure_date_after=2024-12-31&departure_date_before=2024-01-01",
               "/reintegration/?sort=nope", "/reintegration/referrals/?status=nope",
               "/reintegration/partners/?sort=nope"]
    paths = ["/", "/reconciliation/", "/returns/?programme=to_morocco&returned_in=2024", *refused,
             "/resettlement/refugees/?page=9999&is_principal_applicant=false", detail_pages()[2],
             "/returns/travel/?page=9999", *issue_18_forms()]
    found = helpers.axe_violations_on(page, page.site_url, paths, errors=dict.fromkeys(refused, 400))
    assert found == {}, helpers.axe_report(found)
