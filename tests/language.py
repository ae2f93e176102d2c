"""Reading a page in English in a test: as a user who picked English has it, through the language cookie.

The site ignores the browser's Accept-Language (accounts/language.py), so a header would change nothing.
"""

from django.conf import settings
from django.test import Client


def in_english(client: Client) -> Client:
    """The same client, from now on in English (its later requests too)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
