import os
import shutil
from pathlib import Path

# Playwright's sync API keeps an event loop running in the main thread; pytest-django's ORM use then
# raises SynchronousOnlyOperation. Test-only opt-out, never in settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium: in CI its absence fails them, elsewhere it skips them."""
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        return  # Let them run and fail loudly: CI promised a browser.
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium`.")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A browser set to French, as the office's are; the site follows the browser's language.
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "Correct-Horse-Battery-9")


@pytest.fixture
def admin_client_logged(client, superuser):
    client.force_login(superuser)
    return client


# SESSION_SAVE_EVERY_REQUEST (the 30-minute inactivity timeout) saves the session on each request:
# a savepoint, an UPDATE and its release inside the test's transaction. Constant, whatever the data size.
SESSION_TOUCH_QUERIES = 3


@pytest.fixture(scope="module")
def baseline(django_db_setup, django_db_blocker):
    """The 2024 baseline (fixtures/baseline_2024.json), loaded once per test module.

    Use it together with `db`: `def test_x(db, baseline): ...`. The records are loaded inside a
    transaction opened for the module and rolled back when the module ends; each test runs in its own
    savepoint within it (pytest-django's `db`), so a test's writes never reach the next test.

    Transactional tests (`transactional_db`, `@pytest.mark.django_db(transaction=True)`) and live-server
    or browser tests cannot use it: they commit, and their teardown empties the tables. They must load
    the baseline themselves, e.g. `call_command("loaddata", "baseline_2024")`, and should live in a
    module of their own.
    """
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "baseline_2024", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def baseline_site(request, django_db_setup, django_db_blocker):
    """The 2024 baseline, committed once for a module of browser tests that only read, and a live server.

    pytest-django's `live_server` makes every test that uses it transactional: the tables are emptied after
    each test, and the baseline (tens of seconds to load) would have to be loaded again for the next one.
    Here it is loaded once per module, the module's tests read it through their own server thread, and the
    tables are emptied when the module ends, as a transactional test's teardown does (`flush`, which
    re-creates permissions and roles). So the module's tests must not change records; what the server writes
    (sessions, the audit log of logins) is removed with the rest at the end. Not session-scoped: every other
    module expects an empty database.

    The module must be marked `pytest.mark.django_db` (not transactional): pytest-django creates the test
    database only for marked tests, and without one this would load into, then empty, the development
    database. Each test then runs in a transaction rolled back at its end, above the committed baseline.
    Tests use it with `browser` (pytest-playwright's session-wide Chromium) and `site_page` below, not with
    `page` or `live_server`, which would make them transactional again. Accounts: `agent` (superuser) and
    one per role, named by `ROLE_ACCOUNTS`, all with the password `BROWSER_PASSWORD`.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test.utils import modify_settings
    from pytest_django.live_server_helper import LiveServer

    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction"):
        pytest.fail("baseline_site needs a module marked pytest.mark.django_db (not transactional).")
    with django_db_blocker.unblock():
        call_command("loaddata", "baseline_2024", "published_2024", verbosity=0)
        users = get_user_model().objects
        users.create_superuser("agent", "agent@example.org", BROWSER_PASSWORD)
        for username, role in ROLE_ACCOUNTS.items():
            user = users.create_user(username, f"{username}@example.org", BROWSER_PASSWORD, is_staff=True)
            user.groups.add(Group.objects.get(name=role))
        server = LiveServer("localhost")
        try:
            with modify_settings(ALLOWED_HOSTS={"append": "localhost"}):
                yield server
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


BROWSER_PASSWORD = "Correct-Horse-Battery-9"
ROLE_ACCOUNTS = {
    "case-worker": "Gestionnaire de cas",
    "resettlement-officer": "Chargé de réinstallation",
    "data-officer": "Chargé de données",
    "administrator": "Administrateur",
}


@pytest.fixture
def site_page(browser, baseline_site):
    """`site_page("agent", width=390)`: a new browser (French, `width` px wide) signed in as that account
    (`None`: signed out, on the login page) on the `baseline_site` server; its URL is `page.site_url`."""
    contexts = []

    def open_page(username: str | None = "agent", *, width: int = 1366, bypass_csp: bool = False):
        # bypass_csp: for a script injected by the test (axe), which the site's Content-Security-Policy refuses.
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900},
                                      bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        page.site_url = baseline_site.url
        page.goto(f"{baseline_site.url}/login/")
        if username is None:
            return page
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", BROWSER_PASSWORD)
        page.locator("form[action='/login/'] button[type=submit]").click()
        page.wait_for_url(f"{baseline_site.url}/")
        return page

    yield open_page
    for context in contexts:
        context.close()
