import os
import re
import shutil
from datetime import date
from pathlib import Path

# Playwright's sync API keeps an event loop running in the main thread; pytest-django's ORM use then
# raises SynchronousOnlyOperation. Test-only opt-out, never in settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connections, transaction
from django.test import override_settings
from django.test.utils import modify_settings
from django.utils import translation
from pytest_django.live_server_helper import LiveServer

from documents.models import Document
from documents.storage import PrivateFileSystemStorage
from reintegration.models import Kind, Mode, Phase, Provider, SupportSession
from resettlement.models import Refugee, Relationship, ResettlementFile, Stage
from returns.models import Returnee, ReturnStatus, VulnerabilityCategory
from returns.models import Stage as CaseStage
from tests import helpers
from tests.helpers import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session", autouse=True)
def fast_password_hasher():
    """Passwords hashed with a fast hasher, as Django's testing guide advises: the production hasher is slow on
    purpose, and the suite makes an account, or logs one in, in most of its tests. What is tested of passwords
    (validation, lockout, a fixture's account that must have no usable password) does not depend on the hasher."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def playwright(django_db_setup, playwright):
    """Playwright, with the database connections opened while it ran closed before it stops.

    Playwright's sync API keeps its event loop running in the main thread, so asgiref (which holds Django's
    connections) keeps the main thread's connections made meanwhile apart from those made before; Django closes
    only the latter when it destroys the test database, which PostgreSQL then refuses ("being accessed by other
    users"). Set up after the test database, so that this runs before it is destroyed."""
    yield playwright
    connections.close_all()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A browser set to French, as the office's are (the site ignores it: accounts/language.py).
    return {**browser_context_args, "locale": "fr-FR"}


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def office_language():
    """Every test starts in the office's language: the language a request of an earlier test activated
    (LocaleMiddleware leaves it active in the thread) never decides what a test reads."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def document_storage(tmp_path_factory, monkeypatch):
    """Every test stores documents in its own temporary directory, never in var/documents."""
    storage = PrivateFileSystemStorage(location=tmp_path_factory.mktemp("documents"))
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture(autouse=True)
def import_files_dir(tmp_path_factory, settings) -> Path:
    """Every test keeps the admin imports' waiting files in its own directory (not made yet), never in
    var/imports."""
    directory = tmp_path_factory.mktemp("imports") / "waiting"
    settings.STORAGES = {**settings.STORAGES, "import_export": {**settings.STORAGES["import_export"],
                                                                "OPTIONS": {"location": str(directory)}}}
    return directory


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "Correct-Horse-Battery-9")


@pytest.fixture
def admin_client_logged(client, superuser):
    client.force_login(superuser)
    return client


class _Baseline:
    """The 2024 baseline (fixtures/baseline_2024.json) and its published figures, loaded by `load_baseline` once
    per test session (per xdist worker), into a database the other tests leave empty.

    It is loaded inside a transaction that is never committed; each test that uses it runs in its own savepoint
    within it (pytest-django's `db`), so a test's writes never reach the next test. The tests that use it are
    run last (`pytest_collection_modifyitems` below), so that one load serves them all; a test that does not
    use it, met after them, first rolls the load back (`_baseline_only_where_asked`).
    """

    def __init__(self) -> None:
        self.block = None
        self.output = ("", "")  # what `load_baseline` wrote (output, errors), for the loader's own test

    def load(self) -> None:
        if self.block is None:
            self.block = transaction.atomic()
            self.block.__enter__()
            self.output = helpers.load_baseline()

    def unload(self) -> None:
        if self.block is not None:
            transaction.set_rollback(True)
            self.block.__exit__(None, None, None)
            self.block = None


_BASELINE = _Baseline()


def _uses_baseline(item: pytest.Item) -> bool:
    return "baseline" in getattr(item, "fixturenames", ())


def _uses_baseline_site(item: pytest.Item) -> bool:
    return "baseline_site" in getattr(item, "fixturenames", ())


def _baseline_kind(item: pytest.Item) -> int:
    return 2 if _uses_baseline(item) else 1 if _uses_baseline_site(item) else 0


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """The tests that read the baseline run last, those of the committed `baseline_site` then those of the
    session's `baseline`, each kind in its order, so that each is loaded once; with pytest-xdist
    (`--dist loadgroup`) they form one group, run by one worker. Browser tests need Debian's Chromium: in CI
    its absence fails them, elsewhere it skips them."""
    items.sort(key=_baseline_kind)  # stable: the order within each kind is kept
    group = pytest.mark.xdist_group("baseline")
    for item in items:
        if _uses_baseline(item) or _uses_baseline_site(item):
            item.add_marker(group)
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        return  # Let them run and fail loudly: CI promised a browser.
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium`.")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def sample_baseline(tmp_path_factory):
    """For a module that tests what loads or copies the baseline (the loader, `populate`, `bench`) rather than
    its figures: the baseline's name resolves to a sample of it (`helpers.baseline_sample`, one case in ten with
    all that belongs to it), for `load_baseline` and `populate` alike."""
    directory = tmp_path_factory.mktemp("sample")
    helpers.write_baseline_sample(directory)
    with override_settings(FIXTURE_DIRS=[str(directory), *django_settings.FIXTURE_DIRS]):
        yield directory


@pytest.fixture(scope="session")
def _baseline_session(django_db_setup, django_db_blocker):
    """Rolls the baseline back, or empties the committed one, at the end of the session, before the test
    database is destroyed."""
    yield
    with django_db_blocker.unblock():
        _BASELINE.unload()
        _SITE.unload()


@pytest.fixture(autouse=True)
def _baseline_only_where_asked(request):
    """Loads the baseline a test asks for (before its own transaction opens: autouse fixtures come first):
    the session's, or the committed one of `baseline_site`; and removes the other before a test that does not
    use it."""
    uses_site, uses_baseline = _uses_baseline_site(request.node), _uses_baseline(request.node)
    if uses_site and uses_baseline:
        pytest.fail("A test uses either the committed baseline (baseline_site) or the session's (baseline).")
    if not (uses_site or uses_baseline or _SITE.server or _BASELINE.block):
        return
    if uses_site or uses_baseline:
        request.getfixturevalue("_baseline_session")
        if getattr(request.config.option, "loadgroup", False) and not request.node.nodeid.endswith("@baseline"):
            # The group lost (a pytest or pytest-xdist upgrade): each worker would load the baseline again.
            pytest.fail("pytest-xdist did not group this test with the others that read the baseline "
                        "(--dist loadgroup): see the pin of pytest in pyproject.toml.")
    with request.getfixturevalue("django_db_blocker").unblock():
        if not uses_site:
            _SITE.unload()
        if not uses_baseline:
            _BASELINE.unload()
        if uses_site:
            _SITE.load()
        if uses_baseline:
            _BASELINE.load()


@pytest.fixture
def _django_db_helper(_baseline_only_where_asked, _django_db_helper):
    """pytest-django's per-test transaction, opened after the session's baseline is loaded (or rolled back):
    a module marked `pytest.mark.django_db` opens it from an autouse fixture of the plugin, which would
    otherwise come before ours."""
    return _django_db_helper


@pytest.fixture
def baseline():
    """The 2024 baseline, read-only for the test (its writes are rolled back). Use it with `db`:
    `def test_x(db, baseline): ...`.

    Transactional tests (`transactional_db`, `@pytest.mark.django_db(transaction=True)`) and live-server
    or browser tests cannot use it: they commit, and their teardown empties the tables. They load the
    baseline themselves, e.g. `helpers.load_baseline()`.
    """
    return _BASELINE


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, role: str | None = None, *, staff: bool | None = None):
        user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD)
        if role:
            user.groups.add(Group.objects.get(name=role))
        user.is_staff = bool(role) if staff is None else staff
        user.save()
        return user
    return make


@pytest.fixture
def role_client(client, make_user):
    """`role_client("Gestionnaire de cas")`: a test client logged in as a new member of that role."""
    def login(role: str | None, username: str | None = None):
        user = make_user(username or f"user-{abs(hash(role)) % 10_000}", role)
        client.force_login(user)
        client.user = user
        return client
    return login


@pytest.fixture
def cases(db):
    vulnerability = VulnerabilityCategory.objects.get_or_create(code="test-child", defaults={"name": "Child"})[0]
    returnee = Returnee.objects.create(
        case_number="RVA-2024-00001", given_name="Awa", family_name="Diallo", sex="F",
        date_of_birth=date(1990, 5, 1), nationality="SN", host_country="MA", return_country="SN",
        status=ReturnStatus.DEPARTED, stage=CaseStage.RETURNED, departure_date=date(2024, 3, 1),
    )
    returnee.vulnerabilities.add(vulnerability)
    plan = helpers.agreed_plan(returnee, on=date(2024, 3, 20))
    session = SupportSession.objects.create(
        returnee=returnee, kind=Kind.CASH, phase=Phase.POST_RETURN, mode=Mode.IN_PERSON, date=date(2024, 4, 1),
        provider=Provider.IOM_ORIGIN,
    )
    file = ResettlementFile.objects.create(
        file_number="RST-2024-0001", destination_country="CA", stage=Stage.DEPARTED,
        referral_date=date(2023, 6, 1), departure_date=date(2024, 5, 1),
    )
    refugee = Refugee.objects.create(
        file=file, given_name="Jean", family_name="Mbala", sex="M", date_of_birth=date(1985, 1, 1),
        nationality="CD", is_principal_applicant=True, relationship=Relationship.PRINCIPAL,
    )
    return {"returnee": returnee, "session": session, "file": file, "refugee": refugee,
            "vulnerability": vulnerability, "plan": plan}


@pytest.fixture
def viewer(django_user_model):
    """A data officer who may see every list but export none."""
    user = django_user_model.objects.create_user("viewer", password="Correct-Horse-Battery-9")
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


class _BaselineSite:
    """The 2024 baseline committed, with a live server and one account per role, for browser tests that only
    read (`baseline_site`). Loaded when the first such test starts and kept for the next ones; emptied (as a
    transactional test's teardown empties the tables: `flush`, which re-creates permissions and roles) before
    the first test that does not use it, and at the end of the session."""

    def __init__(self) -> None:
        self.server = None
        self._hosts = None

    def load(self) -> None:
        if self.server is not None:
            return
        helpers.load_baseline()
        users = get_user_model().objects
        users.create_superuser("agent", "agent@example.org", BROWSER_PASSWORD)
        for username, role in ROLE_ACCOUNTS.items():
            user = users.create_user(username, f"{username}@example.org", BROWSER_PASSWORD, is_staff=True)
            user.groups.add(Group.objects.get(name=role))
        self._hosts = modify_settings(ALLOWED_HOSTS={"append": "localhost"})
        self._hosts.enable()
        self.server = LiveServer("localhost")

    def unload(self) -> None:
        if self.server is None:
            return
        try:
            self.server.stop()
            self._hosts.disable()
        finally:
            self.server = None
            call_command("flush", interactive=False, verbosity=0)


_SITE = _BaselineSite()


@pytest.fixture
def baseline_site(request):
    """The 2024 baseline, committed once for the browser tests that only read, and a live server.

    pytest-django's `live_server` makes every test that uses it transactional: the tables are emptied after
    each test, and the baseline (tens of seconds to load) would have to be loaded again for the next one.
    Here it is loaded once for all the tests that use it, which run one after the other (on one worker:
    `pytest_collection_modifyitems`); they read it through their own server thread, and the tables are
    emptied after the last of them (`_BaselineSite`). So these tests must not change records; what the server
    writes (sessions, the audit log of logins) is removed with the rest at the end.

    The module must be marked `pytest.mark.django_db` (not transactional): pytest-django creates the test
    database only for marked tests, and without one this would load into, then empty, the development
    database. Each test then runs in a transaction rolled back at its end, above the committed baseline.
    Tests use it with `browser` (pytest-playwright's session-wide Chromium) and `site_page` below, not with
    `page` or `live_server`, which would make them transactional again. Accounts: `agent` (superuser) and
    one per role, named by `ROLE_ACCOUNTS`, all with the password `BROWSER_PASSWORD`.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction"):
        pytest.fail("baseline_site needs a test marked pytest.mark.django_db (not transactional).")
    assert _SITE.server is not None  # loaded by _baseline_only_where_asked, before the test's transaction
    return _SITE.server


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
        # The start page of the account's role (/home/ redirects): the dashboard, or My work.
        page.wait_for_url(re.compile(rf"^{re.escape(baseline_site.url)}/(my-work/)?$"))
        return page

    yield open_page
    for context in contexts:
        context.close()
