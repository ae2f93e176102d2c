"""The five roles, as groups whose permissions follow from the patterns below.

The patterns are the single source of the role matrix: the data migration applies them, `post_migrate`
re-applies them so that permissions of models added later (for instance `view_*` on a new case model)
reach the right roles, and the README documents them.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from django.utils.translation import gettext_lazy as _

CASE_WORKER = "Gestionnaire de cas"
RESETTLEMENT_OFFICER = "Chargé de réinstallation"
SUPERVISOR = "Superviseur"
DATA_OFFICER = "Chargé de données"
ADMINISTRATOR = "Administrateur"

ROLE_LABELS = {
    CASE_WORKER: _("Case worker"),
    RESETTLEMENT_OFFICER: _("Resettlement officer"),
    SUPERVISOR: _("Supervisor"),
    DATA_OFFICER: _("Data and M&E officer"),
    ADMINISTRATOR: _("Administrator"),
}

CASE_APPS = ("returns", "reintegration", "resettlement", "documents", "oimsite")

DOCUMENT_PERMISSIONS = ("documents.view_document", "documents.add_document", "documents.change_document")

# The reintegration plan and the follow-ups: who works on returnees' cases edits them.
CASEWORK_PERMISSIONS = (
    "reintegration.view_reintegrationplan", "reintegration.add_reintegrationplan",
    "reintegration.change_reintegrationplan",
    "reintegration.view_plangoal", "reintegration.add_plangoal", "reintegration.change_plangoal",
    "reintegration.view_followup", "reintegration.add_followup", "reintegration.change_followup",
    "reintegration.view_followupschedulestep",
    # Referrals to partners (the partner directory is kept by supervisors and administrators), the departure
    # checklist, and documents (attached to the records the role may change: documents.models.PARENTS).
    "reintegration.view_partner", "reintegration.view_referral", "reintegration.add_referral",
    "reintegration.change_referral",
    "returns.view_departurechecklist", "returns.add_departurechecklist", "returns.change_departurechecklist",
    *DOCUMENT_PERMISSIONS,
    "reintegration.view_sustainabilitysurvey", "reintegration.add_sustainabilitysurvey",
    "reintegration.change_sustainabilitysurvey", "reintegration.view_instrumentversion",
    "reintegration.view_surveyindicator", "reintegration.view_answeroption",
)

# "app_label.codename" patterns (fnmatch). Order of roles: least to most access.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    CASE_WORKER: (
        "accounts.view_dashboard",
        "returns.view_returnee", "returns.add_returnee", "returns.change_returnee",
        "returns.view_vulnerabilitycategory",
        "reintegration.view_supportsession", "reintegration.add_supportsession",
        "reintegration.change_supportsession",
        *CASEWORK_PERMISSIONS,
        "returns.view_returneeassignment",
    ),
    RESETTLEMENT_OFFICER: (
        "accounts.view_dashboard",
        "resettlement.view_resettlementfile", "resettlement.add_resettlementfile",
        "resettlement.change_resettlementfile",
        "resettlement.view_refugee", "resettlement.add_refugee", "resettlement.change_refugee",
        "resettlement.view_fileassignment",
        *DOCUMENT_PERMISSIONS,
    ),
    # Sees and reassigns the cases of both programmes, and each worker's caseload; edits like a case
    # worker and a resettlement officer.
    SUPERVISOR: (
        "accounts.view_dashboard", "accounts.view_caseload",
        "returns.view_returnee", "returns.change_returnee", "returns.reassign_returnee",
        "returns.view_vulnerabilitycategory", "returns.view_returneeassignment",
        "reintegration.view_supportsession", "reintegration.add_supportsession",
        "reintegration.change_supportsession",
        *CASEWORK_PERMISSIONS,
        "resettlement.view_resettlementfile", "resettlement.change_resettlementfile",
        "resettlement.reassign_resettlementfile", "resettlement.view_refugee", "resettlement.view_fileassignment",
        "reintegration.add_partner", "reintegration.change_partner",
    ),
    DATA_OFFICER: (
        "accounts.view_dashboard",
        "accounts.export_aggregate",
        *(f"{app}.view_*" for app in CASE_APPS),
        *(f"{app}.export_*" for app in CASE_APPS),
    ),
    ADMINISTRATOR: ("*",),
}

# Never granted through a role: history is read through the case model's own view permission and
# nobody edits it; the audit log has only `view`; sessions and content types are Django's plumbing.
EXCLUDED_PERMISSIONS = (
    "*.add_historical*", "*.change_historical*", "*.delete_historical*", "*.view_historical*",
    "contenttypes.*", "sessions.*", "admin.add_logentry", "admin.change_logentry", "admin.delete_logentry",
)


def permission_matches(key: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(key, pattern) for pattern in patterns)


def permissions_for_role(role: str, all_keys: list[str]) -> list[str]:
    """The "app_label.codename" keys that a role grants, among those that exist.

    Importing a model from a spreadsheet (`import_<model>`) goes with adding it: a role that may add a model
    may import it, and no pattern has to remember it.
    """
    granted = {
        key for key in all_keys
        if permission_matches(key, ROLE_PERMISSIONS[role]) and not permission_matches(key, EXCLUDED_PERMISSIONS)
    }
    existing = set(all_keys)
    for key in list(granted):
        app_label, _dot, codename = key.partition(".")
        if codename.startswith("add_"):
            import_key = f"{app_label}.import_{codename.removeprefix('add_')}"
            if import_key in existing:
                granted.add(import_key)
    return sorted(granted)


def sync_roles(apps: Any = None, using: str = "default") -> None:
    """Create the five groups and give each exactly the permissions of its patterns.

    `apps` is the migration's app registry, or None for the live models.
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.using(using).select_related("content_type"))
    by_key = {f"{p.content_type.app_label}.{p.codename}": p for p in permissions}
    for role in ROLE_PERMISSIONS:
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.set([by_key[key] for key in permissions_for_role(role, list(by_key))])
