"""Every URL of the URLconf (admin included), for anonymous, a user without role and each role.

Expectations come from the rule tables below, keyed by URL name (site) or by admin model and view.
A URL without a rule fails the test: a new page cannot go live without someone deciding who sees it.
When a colleague adds `returns:returnee_export`, add one line to SITE_RULES.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from documents.models import Document
from oimsite.reporting.models import PublishedFigure
from reintegration.models import (
    FollowUp,
    FollowUpScheduleStep,
    InstrumentVersion,
    Partner,
    Referral,
    ReintegrationPlan,
    SurveyIndicator,
    SustainabilitySurvey,
)
from resettlement.models import FileAssignment
from returns.models import Returnee, ReturneeAssignment
from tests.helpers import PDF_BYTES, ROLES, Endpoint, document, partner, walk

LOGIN = "302 → login"
ADMIN_LOGIN = "302 → admin login"


@dataclass(frozen=True)
class Perm:
    """A site page: anonymous → login; with every permission listed → `ok`; otherwise 403."""

    perms: tuple[str, ...]
    ok: int = 200
    kwargs: dict = field(default_factory=dict)
    query: str = ""

    def expect(self, user) -> str | int:
        if not user.is_authenticated:
            return LOGIN
        return self.ok if user.has_perms(self.perms) else 403


@dataclass(frozen=True)
class AnyPerm(Perm):
    """A site page open to holders of any one of the permissions listed."""

    def expect(self, user) -> str | int:
        if not user.is_authenticated:
            return LOGIN
        return self.ok if any(user.has_perm(p) for p in self.perms) else 403


@dataclass(frozen=True)
class Anyone:
    """Open to anyone, logged in or not (`authenticated` for a logged-in user if it differs)."""

    anonymous: str | int
    authenticated: str | int | None = None
    kwargs: dict = field(default_factory=dict)
    query: str = ""

    def expect(self, user) -> str | int:
        if user.is_authenticated and self.authenticated is not None:
            return self.authenticated
        return self.anonymous


@dataclass(frozen=True)
class Staff:
    """An admin page without a model: staff → `ok`; anyone else → the admin login."""

    ok: str | int = 200
    kwargs: dict = field(default_factory=dict)
    query: str = ""
    not_staff: str | int = ADMIN_LOGIN  # the admin site's own views send everyone else to its login
    anonymous: str | int = ADMIN_LOGIN

    def expect(self, user) -> str | int:
        if not user.is_authenticated:
            return self.anonymous
        return self.ok if user.is_staff else self.not_staff


@dataclass(frozen=True)
class AdminPerm:
    """An admin view of a model: staff with one of the actions' permissions → `ok`, other staff → `denied`."""

    actions: tuple[str, ...]
    ok: str | int = 200
    denied: int = 403
    model: str = ""  # app_label.model_name when it is not the ModelAdmin's own (autocomplete)
    # ModelAdmin views are under LoginRequiredMiddleware (site login); the admin site's own are not.
    anonymous: str = LOGIN
    kwargs: dict = field(default_factory=dict)
    query: str = ""

    def expect(self, user, model: str = "") -> str | int:
        if not user.is_authenticated:
            return self.anonymous
        if not user.is_staff:
            return ADMIN_LOGIN
        app_label, model_name = (self.model or model).split(".")
        allowed = any(user.has_perm(f"{app_label}.{action}_{model_name}") for action in self.actions)
        return self.ok if allowed else self.denied


@dataclass(frozen=True)
class AppPerm:
    """The admin's page of one app: staff with any permission in the app → 200, other staff → 404."""

    app_label: str

    @property
    def kwargs(self) -> dict:
        return {"app_label": self.app_label}

    query: str = ""

    def expect(self, user) -> str | int:
        if not (user.is_authenticated and user.is_staff):
            return ADMIN_LOGIN
        return 200 if user.has_module_perms(self.app_label) else 404


@dataclass(frozen=True)
class DocumentPerm:
    """A document of a returnee (the `objects` fixture's): the document permission and the returnee's view
    permission → `ok`; the document permission alone → 403 (site) or the admin's "does not exist" (302)."""

    perms: tuple[str, ...] = ("documents.view_document",)
    ok: str | int = 200
    admin: bool = False
    kwargs: dict = field(default_factory=dict)
    query: str = ""

    def expect(self, user) -> str | int:
        if not user.is_authenticated:
            return LOGIN
        if self.admin and not user.is_staff:
            return ADMIN_LOGIN
        document_perm = any(user.has_perm(p) for p in self.perms)
        if document_perm and user.has_perm("returns.view_returnee"):
            return self.ok
        # In the admin, a document of a record one may not view is not among one's documents at all: the
        # admin says it does not exist and goes back to its index.
        return "302" if self.admin and document_perm else 403


NOBODY = AdminPerm(actions=())

SITE_RULES = {
    "dashboard": Perm(("accounts.view_dashboard",)),
    "reconciliation": Perm(("accounts.view_dashboard",)),
    "summary": Perm(("accounts.view_dashboard",)),
    "summary_print": Perm(("accounts.view_dashboard",)),
    "login": Anyone(200, authenticated="302"),
    # Django 5 logs out on POST only; the view itself needs a login.
    "logout": Anyone(LOGIN, authenticated=405),
    # Changing the language needs no login (it is on the login page); a GET just redirects back.
    "set_language": Anyone("302"),
    "returns:returnee_list": Perm(("returns.view_returnee",)),
    "returns:returnee_detail": Perm(("returns.view_returnee",)),
    "reintegration:session_list": Perm(("reintegration.view_supportsession",)),
    "reintegration:session_detail": Perm(("reintegration.view_supportsession",)),
    "reintegration:followup_list": Perm(("reintegration.view_followup",)),
    "reintegration:followup_detail": Perm(("reintegration.view_followup",)),
    "reintegration:survey_list": Perm(("reintegration.view_sustainabilitysurvey",)),
    "reintegration:survey_detail": Perm(("reintegration.view_sustainabilitysurvey",)),
    # The survey form of a done follow-up (the fixture's survey is a draft: the form opens on it).
    "reintegration:survey_entry": Perm(("reintegration.add_sustainabilitysurvey",
                                        "reintegration.change_sustainabilitysurvey")),
    "reintegration:plan_list": Perm(("reintegration.view_reintegrationplan",)),
    "reintegration:plan_detail": Perm(("reintegration.view_reintegrationplan",)),
    "resettlement:file_list": Perm(("resettlement.view_resettlementfile",)),
    "resettlement:file_detail": Perm(("resettlement.view_resettlementfile",)),
    "resettlement:refugee_list": Perm(("resettlement.view_refugee",)),
    "resettlement:refugee_detail": Perm(("resettlement.view_refugee",)),
    "returns:travel_list": Perm(("returns.view_returnee", "returns.view_departurechecklist")),
    "reintegration:partner_list": Perm(("reintegration.view_partner",)),
    "reintegration:partner_detail": Perm(("reintegration.view_partner",)),
    "reintegration:referral_list": Perm(("reintegration.view_referral",)),
    "reintegration:referral_detail": Perm(("reintegration.view_referral",)),
    # A document of a returnee: the document permission and the permission to view the returnee.
    "documents:download": DocumentPerm(),
    # Where the login leads: a redirect for anyone signed in (to My work or the dashboard, by role).
    "home": Anyone(LOGIN, authenticated="302"),
    "my_work": AnyPerm(("returns.view_returnee", "resettlement.view_resettlementfile")),
    "caseload": Perm(("accounts.view_caseload",)),
    "shared_report": Perm(("accounts.export_aggregate",), kwargs={"fmt": "csv"}, query="year=2024"),
    # The admin site's own pages.
    "admin:index": Staff(),
    "admin:login": Anyone(200, authenticated=200),  # overridden below for staff
    # POST only; a non-staff user is sent to the admin index (and from there to its login).
    "admin:logout": Staff(405, not_staff="302", anonymous=ADMIN_LOGIN),
    "admin:password_change": Staff(),
    "admin:password_change_done": Staff(),
    "admin:jsi18n": Staff(),
    # The autocomplete of a session's returnee: needs to see returnees.
    "admin:autocomplete": AdminPerm(anonymous=ADMIN_LOGIN, actions=
        ("view", "change"), model="returns.returnee",
        query="app_label=reintegration&model_name=supportsession&field_name=returnee&term=Dia",
    ),
    # Redirects to the object's own page, which checks permissions itself.
    "admin:view_on_site": Staff("302"),
    "admin:app_list": AppPerm("returns"),
    "admin:<admin/(?P<url>.*)$>": Staff(404, kwargs={"url": "no-such-page/"}),
}

# Admin views of a model, by the suffix of their URL name: which permissions open them.
STANDARD_ADMIN = {
    "changelist": AdminPerm(("view", "change")),
    "add": AdminPerm(("add",)),
    "change": AdminPerm(("view", "change")),
    "delete": AdminPerm(("delete",)),
    "history": AdminPerm(("view", "change")),
    # `<object_id>/` redirects to the change page, which checks permissions.
    "redirect": Staff("302", anonymous=LOGIN),
}
CASE_ADMIN = {**STANDARD_ADMIN, "simple_history": AdminPerm(("view", "change"))}
# The spreadsheet import: its pages for those who may import; the confirmation takes only a POST.
IMPORT_ADMIN = {"import": AdminPerm(("import",)), "import_template": AdminPerm(("import",)),
                "process_import": Staff(405, anonymous=LOGIN)}
LOG_ADMIN = {**STANDARD_ADMIN, "add": NOBODY}  # axes: records are made by logins, never by hand
READ_ONLY_ADMIN = {**STANDARD_ADMIN, "add": NOBODY, "delete": NOBODY, "change": AdminPerm(("view",)),
                   "changelist": AdminPerm(("view",)), "history": AdminPerm(("view",))}

ADMIN_RULES = {
    # Only a superuser adds, changes or deletes a role's group (accounts/admin.py); the roles see them.
    "auth.group": {**STANDARD_ADMIN, "add": NOBODY, "delete": NOBODY},
    "auth.user": {**STANDARD_ADMIN, "password_change": AdminPerm(("change",))},
    "axes.accessattempt": LOG_ADMIN,
    "axes.accesslog": LOG_ADMIN,
    "axes.accessfailurelog": LOG_ADMIN,
    "accounts.auditevent": READ_ONLY_ADMIN,
    "returns.vulnerabilitycategory": STANDARD_ADMIN,
    "oimsite.publishedfigure": STANDARD_ADMIN,
    "returns.returnee": {**CASE_ADMIN, **IMPORT_ADMIN, "duplicates": AdminPerm(("view", "change")),
                         "merge": AdminPerm(("merge",))},
    "reintegration.supportsession": {**CASE_ADMIN, **IMPORT_ADMIN},
    "resettlement.resettlementfile": {**CASE_ADMIN, **IMPORT_ADMIN},
    "resettlement.refugee": {**CASE_ADMIN, **IMPORT_ADMIN},
    # The assignment logs: read by those who see them, written only by reassignments.
    "returns.returneeassignment": READ_ONLY_ADMIN,
    "resettlement.fileassignment": READ_ONLY_ADMIN,
    "reintegration.reintegrationplan": CASE_ADMIN,
    "reintegration.followup": {**CASE_ADMIN, **IMPORT_ADMIN},
    "reintegration.followupschedulestep": STANDARD_ADMIN,
    "reintegration.partner": CASE_ADMIN,
    "reintegration.referral": CASE_ADMIN,
    # The objects fixture's document belongs to a returnee: its pages also need the returnee's view permission.
    "documents.document": {
        **STANDARD_ADMIN,
        "change": DocumentPerm(perms=("documents.view_document", "documents.change_document"), admin=True),
        "delete": DocumentPerm(perms=("documents.delete_document",), admin=True),
        "history": DocumentPerm(perms=("documents.view_document", "documents.change_document"), admin=True),
    },
    # A version of the survey that surveys used (the fixture's) is never deleted, nor its indicators.
    "reintegration.instrumentversion": {**STANDARD_ADMIN, "delete": NOBODY},
    "reintegration.surveyindicator": {**STANDARD_ADMIN, "delete": NOBODY},
    # Surveys are taken through the form of a follow-up (which scores them); the admin reads them.
    "reintegration.sustainabilitysurvey": {**CASE_ADMIN, "add": NOBODY},
}


def rule_for(endpoint: Endpoint):
    """The declared rule of an endpoint, or None."""
    if endpoint.admin_model is not None:
        label = endpoint.admin_model._meta.label_lower
        opts = endpoint.admin_model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}_"
        view = endpoint.name.removeprefix(prefix) if endpoint.name else "redirect"
        return ADMIN_RULES.get(label, {}).get(view)
    return SITE_RULES.get(endpoint.key)


def expected(rule, endpoint: Endpoint, user) -> str | int:
    if endpoint.key == "admin:login" and user.is_authenticated and user.is_staff:
        return "302"  # already logged in: straight on to the admin index
    if isinstance(rule, AdminPerm) and endpoint.admin_model is not None:
        return rule.expect(user, endpoint.admin_model._meta.label_lower)
    return rule.expect(user)


@pytest.fixture
def objects(cases, django_user_model):
    """One saved instance of every model whose URLs take an object id."""
    target = django_user_model.objects.create_user("target", "t@example.org", "Correct-Horse-Battery-9")
    attempt = AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", user_agent="t", failures_since_start=1,
                                           get_data="", post_data="", http_accept="", path_info="/login/")
    log = AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t", http_accept="",
                                   path_info="/login/")
    failure = AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t", http_accept="",
                                              path_info="/login/", locked_out=False)
    event = AuditEvent.objects.record("login", username="x")
    figure = PublishedFigure.objects.create(key="avrr.returned", year=2024, value=1, source="test")
    returnee_log = ReturneeAssignment.objects.create(case=cases["returnee"], to_user=target, by=target)
    file_log = FileAssignment.objects.create(case=cases["file"], to_user=target, by=target)
    plan = cases["plan"]  # the returnee's agreed plan (one open plan per returnee)
    follow_up = FollowUp.objects.create(returnee=cases["returnee"], kind="phone", due_date=date(2024, 6, 1),
                                        done_on=date(2024, 6, 1), outcome="reached")
    version = InstrumentVersion.objects.get(number=1)
    survey = SustainabilitySurvey.objects.create(returnee=cases["returnee"], follow_up=follow_up,
                                                 date=date(2024, 6, 1), interviewer=target, version=version)
    partner_obj = partner()
    referral = Referral.objects.create(returnee=cases["returnee"], partner=partner_obj, service="health",
                                       sent_on=date(2024, 6, 1))
    doc = document(returnee=cases["returnee"])
    step = FollowUpScheduleStep.objects.get_or_create(programme="from_morocco", months_after_departure=1,
                                                      defaults={"kind": "phone"})[0]
    found = {
        Returnee: cases["returnee"], type(cases["session"]): cases["session"], type(cases["file"]): cases["file"],
        type(cases["refugee"]): cases["refugee"], type(cases["vulnerability"]): cases["vulnerability"],
        django_user_model: target, Group: Group.objects.get(name=ROLES[0]), AccessAttempt: attempt,
        AccessLog: log, AccessFailureLog: failure, AuditEvent: event,
        PublishedFigure: figure, ReturneeAssignment: returnee_log, FileAssignment: file_log,
        ReintegrationPlan: plan, FollowUp: follow_up, FollowUpScheduleStep: step,
        Partner: partner_obj, Referral: referral, Document: doc,
        InstrumentVersion: version, SurveyIndicator: version.indicators.first(), SustainabilitySurvey: survey,
    }
    assert date(2024, 1, 1)  # the cases fixture's year is the one the shared report asks for
    return found


def url_for(endpoint: Endpoint, rule, objects) -> str:
    model = endpoint.admin_model or getattr(getattr(endpoint.callback, "view_class", None), "model", None)
    if endpoint.key == "admin:view_on_site":
        model = Returnee
    kwargs = dict(getattr(rule, "kwargs", {}) or {})
    args: list = []
    for param in endpoint.params:
        if param in kwargs:
            continue
        if param in {"pk", "object_id", "id", "0"}:
            assert model in objects, f"{endpoint.key}: create a {model} in the `objects` fixture"
            value = objects[model].pk
        elif param == "1":  # simple_history's version id
            value = objects[model].history.first().history_id
        elif param == "content_type_id":
            value = ContentType.objects.get_for_model(Returnee).pk
        else:
            raise AssertionError(f"{endpoint.key}: no value for the URL parameter {param!r}; add it to the rule")
        if param.isdigit():
            args.append(value)
        else:
            kwargs[param] = value
    if endpoint.name:
        url = reverse(endpoint.name, args=args or None, kwargs=kwargs or None)
    else:
        # Unnamed patterns: the change URL for the per-object redirect, a made-up page for the catch-all.
        if "url" in kwargs:
            url = "/admin/" + kwargs["url"]
        else:
            opts = endpoint.admin_model._meta
            url = f"/admin/{opts.app_label}/{opts.model_name}/{objects[endpoint.admin_model].pk}/"
    query = getattr(rule, "query", "")
    return f"{url}?{query}" if query else url


def outcome(response) -> str | int:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith("/login/"):
            return LOGIN
        return "302"
    return response.status_code


PEOPLE = ["anonymous", "no role", *ROLES]


def client_for(who: str, make_user, prefix: str):
    """A client logged in as `who` (one of PEOPLE), and that user read afresh (an empty permission cache)."""
    client = Client()
    if who == "anonymous":
        return client, AnonymousUser()
    user = make_user(f"{prefix}-{PEOPLE.index(who)}", None if who == "no role" else who)
    client.force_login(user)
    return client, type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize("who", PEOPLE)
def test_every_url_answers_as_declared(who, objects, make_user):
    client, user = client_for(who, make_user, "u")
    endpoints = walk()
    undeclared = [e.key for e in endpoints if rule_for(e) is None]
    assert not undeclared, f"URLs without an access rule (declare them in SITE_RULES/ADMIN_RULES): {undeclared}"
    wrong = []
    for endpoint in endpoints:
        rule = rule_for(endpoint)
        url = url_for(endpoint, rule, objects)
        want = expected(rule, endpoint, user)
        got = outcome(client.get(url))
        if got != want:
            wrong.append(f"{url} ({endpoint.key}): expected {want}, got {got}")
    assert not wrong, f"{who}:\n" + "\n".join(wrong)


def test_every_registered_admin_model_has_rules():
    from django.contrib import admin

    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_RULES), "Declare the admin rules of " + str(registered ^ set(ADMIN_RULES))


def test_no_historical_model_in_the_admin():
    from django.contrib import admin

    assert not [m for m in admin.site._registry if m._meta.model_name.startswith("historical")]
    assert apps.get_model("returns", "HistoricalReturnee") not in admin.site._registry


# The matrix above opens the document of a returnee; a document may also belong to a resettlement file or a
# refugee, each behind its own view permission. Every person, for each kind of record: the download, the
# document's admin page, and the upload (a POST of the add form) attaching a new file to that record.
RECORD_PERMS = {  # the record's field on Document → (view, change) permissions on the record
    "returnee": ("returns.view_returnee", "returns.change_returnee"),
    "resettlement_file": ("resettlement.view_resettlementfile", "resettlement.change_resettlementfile"),
    "refugee": ("resettlement.view_refugee", "resettlement.change_refugee"),
}


def _document_expectations(user, field: str) -> tuple[str | int, str | int, bool]:
    """(download, admin change page, may upload) for `user` and a document of a `field` record."""
    view, change = RECORD_PERMS[field]
    if not user.is_authenticated:
        return LOGIN, LOGIN, False
    may_view = user.has_perm("documents.view_document") and user.has_perm(view)
    download = 200 if may_view else 403
    if not user.is_staff:
        return download, ADMIN_LOGIN, False
    # A document one may not view is not among one's documents: "does not exist", back to the admin index.
    page: str | int = 200 if may_view else "302" if user.has_perm("documents.view_document") else 403
    return download, page, user.has_perm("documents.add_document") and user.has_perm(change)


@pytest.mark.parametrize("field", list(RECORD_PERMS))
@pytest.mark.parametrize("who", PEOPLE)
def test_documents_of_every_kind_of_record_for_every_person(who, field, cases, make_user):
    record = {"returnee": cases["returnee"], "resettlement_file": cases["file"], "refugee": cases["refugee"]}[field]
    doc = document(**{field: record})
    client, user = client_for(who, make_user, "d")
    download, page, may_upload = _document_expectations(user, field)
    assert outcome(client.get(reverse("documents:download", args=[doc.pk]))) == download
    assert outcome(client.get(reverse("admin:documents_document_change", args=[doc.pk]))) == page
    response = client.post(reverse("admin:documents_document_add"), {
        field: record.pk, "kind": "identity", "issued_on": "", "expires_on": "", "notes": "",
        "file": SimpleUploadedFile("scan.pdf", PDF_BYTES)})
    assert response.status_code < 500
    assert Document.objects.filter(**{field: record}).count() == (2 if may_upload else 1), outcome(response)
