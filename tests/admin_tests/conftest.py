from tests.accounts_tests.conftest import cases, make_user, role_client  # noqa: F401  (shared fixtures)
