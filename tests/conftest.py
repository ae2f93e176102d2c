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


class _Baseline:
    """The 2024 baseline (fixtures/baseline_2024.json), loaded once per test session (per xdist worker).

    It is loaded inside a transaction that is never committed; each test that uses it runs in its own savepoint
    within it (pytest-django's `db`), so a test's writes never reach the next test. The tests that use it are
    run last (`pytest_collection_modifyitems` below), so that one load serves them all; a test that does not
    use it, met after them, first rolls the load back (`_baseline_only_where_asked`).
    """

    def __init__(self) -> None:
        self.block = None

    def load(self) -> None:
        from django.core.management import call_command
        from django.db import transaction

        if self.block is None:
            self.block = transaction.atomic()
            self.block.__enter__()
            call_command("loaddata", "baseline_2024", verbosity=0)

    def unload(self) -> None:
        from django.db import transaction

        if self.block is not None:
            transaction.set_rollback(True)
            self.block.__exit__(None, None, None)
            self.block = None


_BASELINE = _Baseline()


def _uses_baseline(item: pytest.Item) -> bool:
    return "baseline" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium: in CI its absence fails them, elsewhere it skips them. The tests
    that read the baseline run last, in their order, so that it is loaded once."""
    items.sort(key=_uses_baseline)  # stable: the order within each group is kept
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        return  # Let them run and fail loudly: CI promised a browser.
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium`.")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def _baseline_session(django_db_setup, django_db_blocker):
    """Rolls the baseline back at the end of the session, before the test database is destroyed."""
    yield
    with django_db_blocker.unblock():
        _BASELINE.unload()


@pytest.fixture(autouse=True)
def _baseline_only_where_asked(request):
    """Loads the session's baseline for a test that asks for it (before its own transaction opens: autouse
    fixtures come first), and rolls it back before a test that does not."""
    if _uses_baseline(request.node):
        request.getfixturevalue("_baseline_session")
        with request.getfixturevalue("django_db_blocker").unblock():
            _BASELINE.load()
    elif _BASELINE.block is not None:
        with request.getfixturevalue("django_db_blocker").unblock():
            _BASELINE.unload()


@pytest.fixture
def baseline():
    """The 2024 baseline, read-only for the test (its writes are rolled back). Use it with `db`:
    `def test_x(db, baseline): ...`.

    Transactional tests (`transactional_db`, `@pytest.mark.django_db(transaction=True)`) and live-server
    or browser tests cannot use it: they commit, and their teardown empties the tables. They load the
    baseline themselves, e.g. `call_command("loaddata", "baseline_2024")`.
    """
    return _BASELINE
