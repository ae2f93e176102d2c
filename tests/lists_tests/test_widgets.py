"""The lists' country select is written in Python: the same HTML as Django's Select."""

import re

from django import forms
from django_countries import countries

from oimsite.lists.views import InlineOptionsSelect


def same_markup(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def test_the_same_html_as_djangos_select():
    choices = [("", "---"), *countries, ("Groupe", [("x", 'a "quoted" & <b>')])]
    attrs = {"id": "id_nationality", "required": True, "disabled": False, "data-note": 'a "b" & <c>'}
    for value in ("MA", "", None, "x"):
        ours = InlineOptionsSelect(choices=choices).render("nationality", value, attrs)
        django = forms.Select(choices=choices).render("nationality", value, attrs)
        assert same_markup(ours) == same_markup(django)
        assert ours.count("<option") == len(choices)  # the blank one, every country, the one in the group


def test_the_lists_filters_use_it(admin_client_logged):
    from django.urls import reverse

    page = admin_client_logged.get(reverse("returns:returnee_list")).content.decode()
    select = re.search(r'<select name="nationality".*?</select>', page, re.S)
    assert select and '<option value="MA">' in select.group(0)
