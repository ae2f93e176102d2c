from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development only (not installed in production): `populate`, `bench` and the load test."""

    name = "oimsite.devtools"
    label = "devtools"
    verbose_name = "Development tools"
