"""The tests' shared helpers (the one module test modules import besides the code): small records made by plain
functions, what a browser posts back for an admin page, the URLconf walk, reading a page in English.

Records, made by plain functions (the 2024 baseline fixture covers the published figures).

Two kinds, sharing one counter so that their case and file numbers never collide:
- scenario records, saved, with the few arguments a story needs (`returnee`, `session`, `resettlement_file`,
  `small_world`);
- `build_*`: valid unsaved instances with every field set, for rule tests that change one field to break one
  rule (`saved_returnee` validates and saves one).
"""

from __future__ import annotations

import io
import itertools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.http.response import HttpResponseBase
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.roles import ADMINISTRATOR, CASE_WORKER, DATA_OFFICER, RESETTLEMENT_OFFICER, SUPERVISOR
from documents.models import Document
from documents.validation import detect_content_type
from reintegration.models import (
    Kind,
    Mode,
    Partner,
    Phase,
    PlanStatus,
    Provider,
    ReintegrationPlan,
    SupportSession,
)
from resettlement.models import Refugee, Relationship, ResettlementFile, Stage
from returns.models import DepartureChecklist, Returnee, ReturnStatus, VulnerabilityCategory
from returns.models import Stage as CaseStage

# The password of every account a test makes; the five roles, least to most access.
PASSWORD = "Correct-Horse-Battery-9"
ROLES = [CASE_WORKER, RESETTLEMENT_OFFICER, SUPERVISOR, DATA_OFFICER, ADMINISTRATOR]

# SESSION_SAVE_EVERY_REQUEST (the 30-minute inactivity timeout) saves the session on each request:
# a savepoint, an UPDATE and its release inside the test's transaction. Constant, whatever the data size.
SESSION_TOUCH_QUERIES = 3

_numbers = itertools.count(1)


def returnee(*, host: str = "MA", to: str = "CI", departed: date | None = date(2024, 5, 10), sex: str = "M",
             born: date = date(1995, 3, 1), given: str = "Amadou", family: str = "Diallo",
             vulnerable: bool = False, **extra) -> Returnee:
    n = next(_numbers)
    r = Returnee.objects.create(
        case_number=f"RVA-{(departed or date(2024, 1, 1)).year}-{n:05d}", given_name=given, family_name=family,
        sex=sex, date_of_birth=born, nationality=extra.pop("nationality", to if to != "MA" else "MA"),
        host_country=host, return_country=to, departure_date=departed,
        status=ReturnStatus.DEPARTED if departed else ReturnStatus.OPEN,
        stage=extra.pop("stage", CaseStage.RETURNED if departed else CaseStage.REGISTERED), **extra,
    )
    if vulnerable:
        category, _ = VulnerabilityCategory.objects.get_or_create(code="child", defaults={"name": "Child"})
        r.vulnerabilities.add(category)
    return r


def session(returnee: Returnee, *, on: date, phase: str = "post_return", kind: str = "cash",
            mode: str = "in_person", provider: str = "iom_origin", enhanced: bool = False) -> SupportSession:
    return SupportSession.objects.create(returnee=returnee, date=on, phase=phase, kind=kind, mode=mode,
                                         provider=provider, enhanced=enhanced)


def agreed_plan(returnee: Returnee, *, on: date | None = None) -> ReintegrationPlan:
    """The returnee's reintegration plan, agreed `on` (default: the day of the return): what support after the
    return other than counselling needs before it can be recorded (SupportSession.clean)."""
    return ReintegrationPlan.objects.create(returnee=returnee, status=PlanStatus.AGREED,
                                            agreed_on=on or returnee.departure_date)


def resettlement_file(*, to: str = "CA", departed: date | None = date(2024, 6, 1), size: int = 1,
                      stage: str | None = None) -> ResettlementFile:
    n = next(_numbers)
    f = ResettlementFile.objects.create(
        file_number=f"RST-2024-{n:05d}", destination_country=to, referral_date=date(2023, 1, 5),
        departure_date=departed, stage=stage or ("departed" if departed else "referred"),
    )
    for i in range(size):
        Refugee.objects.create(
            file=f, given_name=f"Person{i}", family_name=f"Family{n}", sex="F" if i % 2 else "M",
            date_of_birth=date(1990 + i, 1, 1), nationality="SY", is_principal_applicant=i == 0,
            relationship="principal" if i == 0 else "child",
        )
    return f


def small_world(scale: int = 1) -> None:
    """A little of everything that counts and everything that must not, `scale` times over."""
    for _ in range(scale):
        a = returnee(to="CI", vulnerable=True)
        session(a, on=date(2024, 4, 1), phase="pre_departure", kind="counselling", mode="virtual")
        session(a, on=date(2024, 6, 1), kind="cash", enhanced=True)
        b = returnee(to="SN", sex="F", given="=cmd", family="+Evil")
        session(b, on=date(2024, 4, 2), phase="pre_departure", kind="counselling", mode="in_person")
        session(b, on=date(2024, 7, 1), kind="vocational_training")
        returnee(to="GN", departed=date(2023, 5, 1))  # another year
        returnee(to="ML", departed=None)  # open: never counts
        m = returnee(host="TR", to="MA", born=date(2000, 1, 1))
        session(m, on=date(2024, 9, 1), kind="social")
        returnee(host="DE", to="MA", sex="F", born=date(1960, 1, 1))
        resettlement_file(to="CA", size=3)
        resettlement_file(to="US", size=2)
        resettlement_file(to="US", departed=None, size=2)


# --- valid instances, one field at a time (rule tests) -----------------------------------------------------

def build_returnee(**overrides: Any) -> Returnee:
    n = next(_numbers)
    fields: dict[str, Any] = {
        "case_number": f"RVA-2024-{n:05d}",
        "given_name": "Awa",
        "family_name": f"Koné{n}",
        "sex": "F",
        "date_of_birth": date(1995, 3, 14),
        "nationality": "CI",
        "host_country": "MA",
        "return_country": "CI",
        "status": ReturnStatus.DEPARTED,
        "departure_date": date(2024, 5, 10),
    }
    fields.update(overrides)
    # The stage the status implies, unless the test sets it (the model's clean() derives the status from it).
    fields.setdefault("stage", {ReturnStatus.DEPARTED: CaseStage.RETURNED, ReturnStatus.WITHDRAWN: CaseStage.WITHDRAWN}
                      .get(fields["status"], CaseStage.REGISTERED))
    return Returnee(**fields)


def saved_returnee(vulnerable: bool = False, **overrides: Any) -> Returnee:
    obj = build_returnee(**overrides)
    obj.full_clean()
    obj.save()
    if vulnerable:
        obj.vulnerabilities.add(VulnerabilityCategory.objects.get(code="medical_case"))
    return obj


def build_session(returnee_obj: Returnee, **overrides: Any) -> SupportSession:
    fields: dict[str, Any] = {
        "returnee": returnee_obj,
        "kind": Kind.CASH,
        "phase": Phase.POST_RETURN,
        "mode": Mode.IN_PERSON,
        "provider": Provider.IOM_ORIGIN,
        "date": date(2024, 6, 1),
    }
    fields.update(overrides)
    return SupportSession(**fields)


def build_file(**overrides: Any) -> ResettlementFile:
    n = next(_numbers)
    fields: dict[str, Any] = {
        "file_number": f"RST-2024-{n:04d}",
        "destination_country": "CA",
        "stage": Stage.DEPARTED,
        "referral_date": date(2023, 9, 1),
        "departure_date": date(2024, 4, 2),
    }
    fields.update(overrides)
    return ResettlementFile(**fields)


def build_refugee(file: ResettlementFile, **overrides: Any) -> Refugee:
    fields: dict[str, Any] = {
        "file": file,
        "given_name": "Omar",
        "family_name": "Haddad",
        "sex": "M",
        "date_of_birth": date(1988, 1, 2),
        "nationality": "SY",
        "is_principal_applicant": True,
        "relationship": Relationship.PRINCIPAL,
    }
    fields.update(overrides)
    return Refugee(**fields)


# --- Documents and partners ----------------------------------------------------------------------------------

# The smallest files of each allowed type (a PDF with one empty page, a 1×1 PNG, a JPEG's start): placeholders,
# never real documents.
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
             b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
    "00015e2d8d8e0000000049454e44ae426082")
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def document(*, kind: str = "identity", content: bytes = PDF_BYTES, name: str = "passport.pdf", **parent: Any):
    """A saved document of `parent` (returnee=…, resettlement_file=… or refugee=…) with a placeholder file."""
    doc = Document(kind=kind, original_name=name, content_type=detect_content_type(content), size=len(content),
                   **parent)
    doc.file.save(name, ContentFile(content), save=False)
    doc.full_clean()
    doc.save()
    return doc


def ready_to_travel(person: Returnee, departure: date = date(2024, 5, 10), **overrides: Any) -> DepartureChecklist:
    """A complete departure checklist for `person` (with a signed voluntariness declaration): the case may then
    move to "returned" on `departure`."""
    declaration = document(returnee=person, kind="voluntariness", name="declaration.pdf")
    fields: dict[str, Any] = {
        "returnee": person, "planned_departure_date": departure, "declaration_signed_on": departure,
        "declaration_document": declaration, "travel_document_type": "passport",
        "travel_document_number": f"P{next(_numbers):07d}", "travel_document_expires": date(2030, 12, 31),
        "fitness_checked_on": departure, "fitness": "fit", "escort": "none",
        "reception_confirmed_on": departure, "onward_transport": "Bus",
    }
    fields.update(overrides)
    checklist = DepartureChecklist(**fields)
    checklist.full_clean()
    checklist.save()
    return checklist


def partner(**overrides: Any):
    fields: dict[str, Any] = {
        "name": f"Partner {next(_numbers)}", "kind": "ngo", "country": "CI", "city": "Abidjan",
        "services": ["vocational_training", "health"], "agreement_signed_on": date(2023, 1, 1),
        "agreement_expires_on": date(2030, 12, 31),
    }
    fields.update(overrides)
    obj = Partner(**fields)
    obj.full_clean()
    obj.save()
    return obj


# --- Admin forms --------------------------------------------------------------------------------------------

def _bound_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        key = form.add_prefix(name)
        if isinstance(value, (list, tuple)):
            data[key] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[key] = "on" if value is True else str(value)
    return data


NO_CHECKLIST = {"checklist-TOTAL_FORMS": "0", "checklist-INITIAL_FORMS": "0"}


def returnee_add_data(**overrides: Any) -> dict[str, str]:
    """What the admin's add form posts for a returned case (said to be recorded after the fact), without
    sessions or checklist rows; `overrides` change or add fields."""
    data = {
        "case_number": "RVA-2024-09999", "stage": "returned", "recorded_after_return": "on",
        "given_name": "Moussa", "family_name": "Diallo",
        "sex": "M", "date_of_birth": "1990-02-03", "nationality": "GN", "host_country": "MA",
        "return_country": "GN", "departure_date": "2024-03-04", "consent_date": "", "consent_scope": "",
        "notes": "",
        **NO_CHECKLIST, "sessions-TOTAL_FORMS": "0", "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0", "sessions-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def admin_form_data(response) -> dict:
    """What a browser posts back, unchanged, for an admin change page: the form and its inline formsets."""
    data = _bound_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_bound_data(formset.management_form))
        for form in formset.forms:
            data.update(_bound_data(form))
    return data


# --- The URLconf ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Endpoint:
    key: str  # "namespace:name", or "namespace:<route>" for an unnamed pattern
    name: str | None  # reversible name, None if unnamed
    route: str  # full route, for messages
    params: tuple[str, ...]  # keyword parameters, or "0", "1"… for positional (regex groups)
    callback: Any
    admin_model: Any  # the ModelAdmin's model for patterns under a ModelAdmin's include


def _params(pattern: Any) -> tuple[str, ...]:
    regex = pattern.regex
    named = tuple(regex.groupindex)
    if named:
        return named
    return tuple(str(i) for i in range(regex.groups))


def _admin_model(route: str) -> Any:
    """The model whose ModelAdmin serves URLs under `route` (admin.site's `<app>/<model>/` include)."""
    from django.contrib import admin

    for model in admin.site._registry:
        if route.endswith(f"{model._meta.app_label}/{model._meta.model_name}/"):
            return model
    return None


def walk(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "",
         params: tuple[str, ...] = (), admin_model: Any = None) -> list[Endpoint]:
    resolver = resolver or get_resolver()
    endpoints: list[Endpoint] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        here = params + _params(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            endpoints += walk(entry, ns, route, here, _admin_model(route) or admin_model)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            key = name or f"{namespace}:<{route}>"
            endpoints.append(Endpoint(key, name, route, here, entry.callback, admin_model))
    return endpoints


# --- Responses and language -------------------------------------------------------------------------------------

def streamed_body(response: HttpResponseBase) -> bytes:
    """The whole body of a download sent in blocks (a FileResponse, a StreamingHttpResponse), read to its end."""
    assert response.streaming, (response.status_code, response.get("Content-Type"))
    return b"".join(response.streaming_content)


# --- The lists' exports ---------------------------------------------------------------------------------------

# The lists whose tables the export paths are compared on (the follow-ups and plans offer no export; their
# tables are compared too, so that a list given an export later is already covered).
EXPORT_LISTS = ["returns:returnee_list", "reintegration:session_list", "resettlement:file_list",
                "resettlement:refugee_list", "reintegration:followup_list", "reintegration:plan_list"]


def store_unchecked_text() -> None:
    """Text stored before the rules (update() skips full_clean()) in the exported columns of every list: formulas,
    control and spoofing characters, quotes and line breaks in names, notes and a file number, and an empty
    family name (an empty cell), on returnees with sessions (their names are in the session list too)."""
    first, second, third = Returnee.objects.filter(sessions__isnull=False).distinct().order_by("pk")[:3]
    Returnee.objects.filter(pk=first.pk).update(
        family_name="=HYPERLINK(1)\u202e", given_name="-\x1b[31m", notes='+a "quoted", line\r\ntwo\x07')
    Returnee.objects.filter(pk=second.pk).update(family_name="@Ça, va", given_name="\tTab", notes="")
    Returnee.objects.filter(pk=third.pk).update(family_name="", given_name="Seul")
    file = ResettlementFile.objects.order_by("pk").first()
    ResettlementFile.objects.filter(pk=file.pk).update(file_number="=1+2\u200e", notes="@SUM(A1)")
    Refugee.objects.filter(file=file).update(given_name="+33 \x07", family_name="-Ça")


def export_table(name: str, user: Any, all_columns: bool, export_format: str = "csv") -> Any:
    """The table a list's export writes (`?_export=FORMAT`, with `_columns=all` if `all_columns`), as its view
    builds it for `user`, sorted as by default, in the active language."""
    params = {"_export": export_format, **({"_columns": "all"} if all_columns else {})}
    request = RequestFactory().get(reverse(name), params)
    request.user = user
    view = resolve(reverse(name)).func.view_class()
    view.setup(request)
    view.export_format, view.export_all_columns = export_format, all_columns
    view.object_list = view.get_queryset()
    view.filterset = view.get_filterset(view.get_filterset_class())
    view.object_list = view.filterset.qs
    return view.get_table()


def in_english(client: Client) -> Client:
    """The same client, from now on in English (its later requests too)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


BASELINE_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "baseline_2024.json"
# For each model of the baseline, its fields that point to a case record or to a record that belongs to one
# (accounts, partners and the instrument's reference data are kept whole): (field, the model it points to).
_CASE_PARENTS: dict[str, list[tuple[str, str]]] = {
    "documents.document": [("returnee", "returns.returnee"), ("resettlement_file", "resettlement.resettlementfile"),
                           ("refugee", "resettlement.refugee")],
    "returns.departurechecklist": [("returnee", "returns.returnee"), ("declaration_document", "documents.document")],
    "returns.returneeassignment": [("case", "returns.returnee")],
    "reintegration.reintegrationplan": [("returnee", "returns.returnee")],
    "reintegration.plangoal": [("plan", "reintegration.reintegrationplan")],
    "reintegration.supportsession": [("returnee", "returns.returnee"), ("goal", "reintegration.plangoal")],
    "reintegration.followup": [("returnee", "returns.returnee")],
    "resettlement.fileassignment": [("case", "resettlement.resettlementfile")],
    "resettlement.refugee": [("file", "resettlement.resettlementfile")],
    "reintegration.referral": [("returnee", "returns.returnee")],
    "reintegration.sustainabilitysurvey": [("returnee", "returns.returnee"),
                                           ("follow_up", "reintegration.followup")],
    "reintegration.surveyanswer": [("survey", "reintegration.sustainabilitysurvey")],
}
_CASE_ROOTS = ("returns.returnee", "resettlement.resettlementfile")


def baseline_sample(every: int = 10) -> list[dict]:
    """The baseline fixture's records for one returnee and one resettlement file in `every` (by primary key),
    with everything that belongs to them: the same kinds of records and the same rules, for the tests that load
    a baseline-like fixture to test the loader or the bench rather than to read the published figures.

    A record that belongs to case records is kept when each of the parents it names is kept. The fixture may
    name a parent before it (a document before its file), so the records are read until nothing more is kept."""
    records = json.loads(BASELINE_FIXTURE.read_text(encoding="utf-8"))
    kept: dict[str, set[Any]] = {model: {r["pk"] for r in records if r["model"] == model and r["pk"] % every == 0}
                                 for model in _CASE_ROOTS}
    changed = True
    while changed:
        changed = False
        for record in records:
            model, fields = record["model"], record["fields"]
            if model not in _CASE_PARENTS or record["pk"] in kept.get(model, ()):
                continue
            parents = [(fields[field], target) for field, target in _CASE_PARENTS[model]
                       if fields.get(field) is not None]
            if parents and all(pk in kept.get(target, ()) for pk, target in parents):
                kept.setdefault(model, set()).add(record["pk"])
                changed = True
    case_models = {*_CASE_ROOTS, *_CASE_PARENTS}
    return [r for r in records if r["model"] not in case_models or r["pk"] in kept.get(r["model"], ())]


def write_baseline_sample(directory: Path, every: int = 10) -> Path:
    """`baseline_sample(every)` written as `directory`/baseline_2024.json (the name the loader and `populate`
    look for in FIXTURE_DIRS)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / BASELINE_FIXTURE.name
    path.write_text(json.dumps(baseline_sample(every)), encoding="utf-8")
    return path


PUBLISHED_FIXTURE = BASELINE_FIXTURE.with_name("published_2024.json")


def load_baseline() -> tuple[str, str]:
    """The 2024 baseline and its published figures loaded as `make run` loads them: `manage.py load_baseline`,
    every record validated, in bulk (`loaddata` saves record by record, several times slower). Returns what
    the command wrote to its output and its error output."""
    # Paths, not names: a module may point the names at a sample of the baseline (`sample_baseline`).
    out, err = io.StringIO(), io.StringIO()
    call_command("load_baseline", str(BASELINE_FIXTURE), str(PUBLISHED_FIXTURE), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- axe (accessibility) -------------------------------------------------------------------------------------

AXE_WIDTHS = (1366, 390)  # a desktop screen, a phone


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is, one line each (the page's context must bypass the site's
    Content-Security-Policy, which refuses the injected script)."""
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in Axe().run(page).response["violations"]]


def axe_violations_on(page, base: str, urls: list[str], errors: dict[str, int] | None = None,
                      ) -> dict[str, list[str]]:
    """axe's violations per page and width: each page is loaded once, then checked at each of `AXE_WIDTHS`, the
    window resized between (the page reflows as on a phone turned, or a window narrowed). A status other than
    200 (or the error page `errors` expects) is a violation too, so that an error page is never what gets
    checked in a page's place."""
    found = {}
    for url in urls:
        page.set_viewport_size({"width": AXE_WIDTHS[0], "height": 900})
        response = page.goto(f"{base}{url}")
        status = response.status if response is not None else 0
        if status != (errors or {}).get(url, 200):
            found[url] = [f"HTTP {status}"]
            continue
        for width in AXE_WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            problems = axe_violations(page)
            if problems:
                found[f"{url} at {width} px"] = problems
    return found


def axe_report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}: {problem}" for url, problems in found.items() for problem in problems)
