"""Load case fixtures in one transaction, and refuse them unless every record passes its model's rules.

`loaddata` trusts its input: it writes rows without `full_clean()`, so a fixture with a post-return
session dated before the departure would load and silently skew the report. `load_fixtures` runs in
four steps inside one transaction, and any problem rolls everything back:

1. parse the JSON (a truncated or corrupted file is named with the line and column of the error) and
   refuse what the loader is not for: a model other than the case records, their casework (plans, goals,
   follow-ups, assignment logs), the staff accounts that own them and published figures (the loader must
   not become a way around the admin, the audit log or the history), an account that could log in or do
   more than a role allows (a superuser, a usable password, permissions of its own, the administrators'
   group), a file larger than MAX_FIXTURE_BYTES, nesting deeper than Python parses, a NUL (PostgreSQL
   cannot store it) or an integer beyond the databases' 64 bits anywhere in a record;
2. check each record alone, in memory: field values (choices such as country codes, formats such as
   case numbers), and unique values against the fixture itself and the database;
3. write the rows (the database enforces its check and unique constraints); if it refuses one, replay
   the writes one savepoint per record to name every offending record and the rule it breaks;
4. read the rows back with their related rows prefetched and run `full_clean()` on each, so that the
   rules spanning records (session dates against the departure, reinforced support against recorded
   vulnerabilities, refugees against their file) are checked without a query per record where the
   models allow it; then the casework rules that `clean()` applies only to a change (support after the
   return follows an agreed plan, a completed reintegration has no open goal, owners are active staff).

Returned cases of the fixture without their scheduled follow-ups get them at the end
(`reintegration.services.schedule_follow_ups`, which the post_save receiver runs for other writes).
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError, DeserializedObject
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.models import Exists, OuterRef
from django_countries import countries
from django_countries.fields import CountryField

from accounts.roles import CASE_WORKER, DATA_OFFICER, RESETTLEMENT_OFFICER, SUPERVISOR
from documents.models import Document
from oimsite.baseline.departures import placeholder_files
from oimsite.baseline.generator import FIXTURE_NAME
from oimsite.core.assignment import check_new_owner
from oimsite.core.workarounds import insert_raw
from reintegration.models import (
    AGREED_OR_DONE,
    Kind,
    Phase,
    PlanGoal,
    PlanStatus,
    ReintegrationPlan,
    SupportSession,
    SurveyAnswer,
    SurveyIndicator,
    SurveyStatus,
    SustainabilitySurvey,
)
from reintegration.services import check_completed_reintegration, schedule_follow_ups
from reintegration.sustainability import score
from resettlement.models import ResettlementFile
from returns.models import AFTER_RETURN_STAGES, Returnee, Stage

DEFAULT_FIXTURE = FIXTURE_NAME.removesuffix(".json")
# What `make run` loads into a new database: the records and the figures the office published.
DEFAULT_FIXTURES = [DEFAULT_FIXTURE, "published_2024"]
CHUNK = 500  # rows per IN (...) lookup: well under SQLite's bound-parameter limit

# What the loader is for: the case records, their casework, the staff accounts that own them and the
# published figures (labels as in a fixture's "model").
ACCOUNT_MODEL = "auth.user"
LOADABLE_MODELS = frozenset({
    "returns.returnee", "reintegration.supportsession", "resettlement.resettlementfile", "resettlement.refugee",
    "oimsite.publishedfigure",
    ACCOUNT_MODEL, "returns.returneeassignment", "resettlement.fileassignment",
    "reintegration.reintegrationplan", "reintegration.plangoal", "reintegration.followup",
    "reintegration.partner", "reintegration.referral", "returns.departurechecklist", "documents.document",
    "reintegration.sustainabilitysurvey", "reintegration.surveyanswer",
})
# The groups a fixture's account may join (by name): the working roles, never the administrators'.
ACCOUNT_ROLES = (CASE_WORKER, RESETTLEMENT_OFFICER, SUPERVISOR, DATA_OFFICER)
# Several times the 2024 baseline: a larger file is refused before it is read into memory.
MAX_FIXTURE_BYTES = 32 * 1024 * 1024
# The range of the databases' integer columns (64-bit); beyond it SQLite raises OverflowError on write.
INTEGER_RANGE = (-(2**63), 2**63 - 1)

# What each model's `clean()` reads from related rows, fetched in bulk before validating.
RELATED_FOR_VALIDATION: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "returns.returnee": ((), ("sessions", "vulnerabilities")),
    "reintegration.supportsession": (("returnee", "goal__plan", "partner"), ("returnee__vulnerabilities",)),
    "reintegration.referral": (("returnee", "partner"), ()),
    "returns.departurechecklist": (("returnee", "declaration_document"), ()),
    "reintegration.followup": (("returnee", "assigned_to"), ()),
    "reintegration.reintegrationplan": (("returnee",), ()),
    "resettlement.refugee": (("file",), ()),
    "reintegration.sustainabilitysurvey": (("returnee", "follow_up", "interviewer", "version"), ()),
}


class FixtureRefused(Exception):
    """The fixture cannot be loaded; `problems` names each offending record and the rule it breaks."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class LoadResult:
    counts: dict[str, int]  # model label -> records loaded, in fixture order
    seconds: float
    planned_follow_ups: int = 0  # scheduled for returned cases of the fixture that came without theirs

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def fixture_dirs() -> list[Path]:
    dirs = [Path(d) for d in settings.FIXTURE_DIRS]
    dirs += [Path(app.path) / "fixtures" for app in apps.get_app_configs()]
    return dirs


def resolve_fixture(label: str) -> Path:
    """A path as given, or a fixture name looked up like `loaddata` does (FIXTURE_DIRS, then apps)."""
    given = Path(label)
    if given.is_file():
        return given
    names = [label] if given.suffix else [label, f"{label}.json"]
    for directory in fixture_dirs():
        for name in names:
            if (directory / name).is_file():
                return directory / name
    raise FixtureRefused([f"No fixture named {label!r} (looked in {', '.join(map(str, fixture_dirs()))})."])


def read_fixture(path: Path) -> list[dict]:
    """The fixture's records, or a refusal that says where the JSON breaks or what the loader does not take."""
    try:
        size = path.stat().st_size
        if size > MAX_FIXTURE_BYTES:
            raise FixtureRefused([
                f"{path}: {size / 2**20:.0f} MB, larger than the {MAX_FIXTURE_BYTES // 2**20} MB a fixture may be."
            ])
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureRefused([f"{path}: cannot be read: {exc}"]) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FixtureRefused([
            f"{path}: not valid JSON (truncated or corrupted?): {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ]) from exc
    except RecursionError as exc:
        raise FixtureRefused([f"{path}: not a fixture: its brackets are nested too deeply to read."]) from exc
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise FixtureRefused([f"{path}: not valid JSON: {exc}"]) from exc
    if not isinstance(data, list):
        raise FixtureRefused([f"{path}: a fixture is a JSON list of records."])
    for index, record in enumerate(data, start=1):
        if not (isinstance(record, dict) and isinstance(record.get("model"), str)
                and isinstance(record.get("fields"), dict)):
            raise FixtureRefused([f"{path}: record {index} is not an object with a “model” and “fields”."])
    problems = [problem for index, record in enumerate(data, start=1)
                for problem in _refused_values(path, index, record)]
    if problems:
        shown = 50
        more = [f"{path}: {len(problems) - shown:,} more records refused."] if len(problems) > shown else []
        raise FixtureRefused(problems[:shown] + more)
    return data


def _refused_values(path: Path, index: int, record: dict) -> Iterator[str]:
    """What makes a record unloadable before it reaches a model: its model, a NUL, an out-of-range number."""
    where = f"{path}: record {index} ({record['model']} pk {record.get('pk')})"
    if record["model"].lower() not in LOADABLE_MODELS:
        yield (f"{where}: load_baseline loads only case records, their casework, staff accounts and published "
               f"figures ({', '.join(sorted(LOADABLE_MODELS))}); the file is refused.")
        return
    if record["model"].lower() == ACCOUNT_MODEL:
        yield from _refused_account(where, record)
    # Walked with a list rather than recursively: nesting within the parser's limit may exceed Python's.
    pending: list[tuple[str, object]] = [("pk", record.get("pk")), *(
        (str(name), value) for name, value in record["fields"].items())]
    while pending:
        name, value = pending.pop()
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            shown = name.encode("unicode_escape").decode()
            yield f"{where}: {shown}: contains a NUL character, which the database cannot store."
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and not INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1]:
            yield f"{where}: {name}: the number {value} is too large for the database."
        elif isinstance(value, float) and not math.isfinite(value):
            yield f"{where}: {name}: {value} is not a number the database can store."
        elif isinstance(value, list):
            pending.extend((name, item) for item in value)
        elif isinstance(value, dict):
            pending.extend((f"{name}.{key}", item) for key, item in value.items())


def _refused_account(where: str, record: dict) -> Iterator[str]:
    """A fixture's account owns cases and nothing more: no login of its own, no power beyond its role."""
    fields = record["fields"]
    if fields.get("is_superuser"):
        yield f"{where}: is_superuser: a fixture cannot make a superuser."
    password = fields.get("password")
    if not (isinstance(password, str) and password.startswith("!")):
        yield (f"{where}: password: an account from a fixture has no usable password (“!”): an administrator "
               "sets one to let its owner log in.")
    if fields.get("user_permissions"):
        yield f"{where}: user_permissions: an account from a fixture has only its role's permissions."
    for group in fields.get("groups") or []:
        if not (isinstance(group, list) and len(group) == 1 and group[0] in ACCOUNT_ROLES):
            yield (f"{where}: groups: {json.dumps(group, ensure_ascii=False)} is not one of the roles a fixture "
                   f"may give, by name ({', '.join(ACCOUNT_ROLES)}).")


def has_case_records(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True if the database holds any returnee or resettlement file: then the baseline is not loaded again."""
    return any(
        apps.get_model(label)._default_manager.using(using).exists()
        for label in ("returns.Returnee", "resettlement.ResettlementFile")
    )


def load_fixtures(paths: Iterable[Path], using: str = DEFAULT_DB_ALIAS) -> LoadResult:
    """Load every record of the fixtures, or none of them (FixtureRefused lists why)."""
    started = time.perf_counter()
    documents = [(path, read_fixture(path)) for path in paths]
    with transaction.atomic(using=using):
        objects = _deserialize(documents, using)
        names = _RecordNames(objects)
        problems = _check_records(objects, names, using)
        if problems:
            raise FixtureRefused(problems)
        _write(objects, names, using)
        problems = (_validate_written(objects, names, using) + _check_casework(objects, names, using)
                    + _check_surveys(objects, names, using))
        if problems:
            raise FixtureRefused(problems)  # leaving the atomic block rolls the writes back
        planned = _schedule_follow_ups(objects, using)
    # The documents' placeholder files, once their rows are committed (a refused load writes none).
    placeholder_files(Document._meta.get_field("file").storage,
                      [obj.object.file.name for obj in objects if isinstance(obj.object, Document)])
    counts = Counter(obj.object._meta.label for obj in objects)
    return LoadResult(dict(counts), time.perf_counter() - started, planned)


# --- step 1: records as model instances, not yet written -----------------------------------------------------

def _deserialize(documents: list[tuple[Path, list[dict]]], using: str) -> list[DeserializedObject]:
    objects: list[DeserializedObject] = []
    for path, data in documents:
        _resolve_natural_keys(path, data, using)
        stream = serializers.deserialize("python", data, using=using, handle_forward_references=True)
        index = 0
        while True:
            try:
                obj = next(stream)
            except StopIteration:
                break
            except Exception as exc:  # unknown model or field, malformed value: name the record
                record = data[index] if index < len(data) else {}
                raise FixtureRefused([
                    f"{path}: record {index + 1} ({record.get('model')} pk {record.get('pk')}): {exc}"
                ]) from exc
            objects.append(obj)
            index += 1
    return objects


def _resolve_natural_keys(path: Path, data: list[dict], using: str) -> None:
    """Replace, in place, the natural keys of reference rows (the survey's versions, indicators and answers)
    by their ids, one query per referenced model: the deserializer would make a query per value."""
    maps: dict[type[models.Model], dict[tuple, int | None]] = {}
    problems: list[str] = []
    for index, record in enumerate(data, start=1):
        try:
            model = apps.get_model(record["model"])
        except (LookupError, ValueError):
            continue  # named by the deserializer, with the record
        for name, value in record["fields"].items():
            if not isinstance(value, list):
                continue
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            target = field.related_model if field.many_to_one or field.one_to_one else None
            if target is None or not hasattr(target._default_manager, "natural_key_map"):
                continue
            if target not in maps:
                maps[target] = target._default_manager.using(using).natural_key_map()
            key = tuple(value)
            if maps[target].get(key) is None:
                why = "matches several rows" if key in maps[target] else "matches no row"
                problems.append(f"{path}: record {index} ({record['model']} pk {record.get('pk')}): {name}: "
                                f"{target._meta.verbose_name} {json.dumps(value, ensure_ascii=False)} {why}.")
            else:
                record["fields"][name] = maps[target][key]
    if problems:
        raise FixtureRefused(problems[:50])


class _RecordNames:
    """How staff recognise a record in a message: its case or file number, else its model and pk."""

    def __init__(self, objects: list[DeserializedObject]) -> None:
        self.case_numbers: dict[object, str] = {}
        self.file_numbers: dict[object, str] = {}
        self.plan_cases: dict[object, object] = {}
        for obj in objects:
            instance = obj.object
            label = instance._meta.label_lower
            if label == "returns.returnee":
                self.case_numbers[instance.pk] = instance.case_number
            elif label == "resettlement.resettlementfile":
                self.file_numbers[instance.pk] = instance.file_number
            elif label == "reintegration.reintegrationplan":
                self.plan_cases[instance.pk] = instance.returnee_id

    def case(self, returnee_id: object) -> str:
        return self.case_numbers.get(returnee_id, f"returnee pk {returnee_id}")

    def file(self, file_id: object) -> str:
        return self.file_numbers.get(file_id, f"file pk {file_id}")

    def __call__(self, instance: models.Model) -> str:
        label = instance._meta.label
        match instance._meta.label_lower:
            case "returns.returnee":
                return f"{label} {instance.case_number} (pk {instance.pk})"
            case "resettlement.resettlementfile":
                return f"{label} {instance.file_number} (pk {instance.pk})"
            case "reintegration.supportsession":
                case = self.case(instance.returnee_id)
                return f"{label} pk {instance.pk} (case {case}, {instance.phase} {instance.date})"
            case "resettlement.refugee":
                return f"{label} pk {instance.pk} (file {self.file(instance.file_id)})"
            case "reintegration.reintegrationplan" | "returns.returneeassignment":
                returnee_id = getattr(instance, "returnee_id", None) or getattr(instance, "case_id", None)
                return f"{label} pk {instance.pk} (case {self.case(returnee_id)})"
            case "reintegration.plangoal":
                case = self.case(self.plan_cases.get(instance.plan_id))
                return f"{label} pk {instance.pk} (plan pk {instance.plan_id}, case {case})"
            case "reintegration.followup":
                return f"{label} pk {instance.pk} (case {self.case(instance.returnee_id)}, due {instance.due_date})"
            case "resettlement.fileassignment":
                return f"{label} pk {instance.pk} (file {self.file(instance.case_id)})"
            case "reintegration.sustainabilitysurvey":
                return f"{label} pk {instance.pk} (case {self.case(instance.returnee_id)}, {instance.date})"
            case "auth.user":
                return f"{label} {instance.get_username()}"
        return f"{label} pk {instance.pk}"


def _messages(name: str, error: ValidationError) -> Iterator[str]:
    for field, messages in error.message_dict.items():
        where = "" if field == NON_FIELD_ERRORS else f"{field}: "
        for message in messages:
            yield f"{name}: {where}{message}"


def _foreign_keys(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.is_relation]


# --- step 2: each record alone ---------------------------------------------------------------------------------

def _check_records(objects: list[DeserializedObject], names: _RecordNames, using: str) -> list[str]:
    problems: list[str] = []
    known_countries = {country.code for country in countries}
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for obj in objects:
        instance = obj.object
        by_model[type(instance)].append(instance)
        exclude = _foreign_keys(type(instance))  # existence of related rows: checked by the database on write
        for field in instance._meta.concrete_fields:
            if isinstance(field, CountryField):
                # Checked against a set: Django's choices check walks the whole country list for each value.
                exclude.append(field.name)
                code = field.value_from_object(instance)
                code = getattr(code, "code", code)
                if code and code not in known_countries:
                    problems.append(f"{names(instance)}: {field.name}: unknown country code {code!r}.")
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as error:
            problems.extend(_messages(names(instance), error))
    for model, instances in by_model.items():
        problems += _check_no_overwrite(model, instances, names, using)
        problems += _check_unique_values(model, instances, names, using)
    return problems


def _check_no_overwrite(model: type[models.Model], instances: list[models.Model], names: _RecordNames,
                        using: str, shown: int = 5) -> list[str]:
    """A record already in the database is never overwritten: staff edits and their history stay true."""
    pks = [instance.pk for instance in instances if instance.pk is not None]
    taken: set[object] = set()
    for start in range(0, len(pks), CHUNK):
        taken.update(model._default_manager.using(using).filter(pk__in=pks[start:start + CHUNK])
                     .values_list("pk", flat=True))
    clashes = [instance for instance in instances if instance.pk in taken]
    problems = [
        f"{names(instance)}: pk {instance.pk} is already in the database; loading would overwrite it."
        for instance in clashes[:shown]
    ]
    if len(clashes) > shown:
        problems.append(f"{model._meta.label}: {len(clashes) - shown:,} more records already in the database.")
    return problems


def _check_unique_values(model: type[models.Model], instances: list[models.Model], names: _RecordNames,
                         using: str) -> list[str]:
    """Unique fields: no value twice in the fixture, nor held by another row already in the database."""
    problems: list[str] = []
    pks = {instance.pk for instance in instances}
    for field in model._meta.concrete_fields:
        if not field.unique or field.primary_key:
            continue
        seen: dict[object, models.Model] = {}
        for instance in instances:
            value = field.value_from_object(instance)
            if value in seen:
                message = instance.unique_error_message(model, (field.name,)).messages[0]
                other = seen[value].pk
                problems.append(f"{names(instance)}: {field.name}: {message} (also on pk {other} in the fixture)")
            else:
                seen[value] = instance
        values = list(seen)
        for start in range(0, len(values), CHUNK):
            taken = (model._default_manager.using(using)
                     .filter(**{f"{field.attname}__in": values[start:start + CHUNK]}).exclude(pk__in=pks)
                     .values_list(field.attname, "pk"))
            for value, pk in taken:
                instance = seen[value]
                message = instance.unique_error_message(model, (field.name,)).messages[0]
                problems.append(f"{names(instance)}: {field.name}: {message} (pk {pk} in the database)")
    return problems


# --- step 3: writing --------------------------------------------------------------------------------------------

def _write(objects: list[DeserializedObject], names: _RecordNames, using: str) -> None:
    connection = connections[using]
    tables = {obj.object._meta.db_table for obj in objects}
    try:
        with transaction.atomic(using=using), connection.constraint_checks_disabled():
            _save_all(objects, names, using)
            connection.check_constraints(table_names=sorted(tables))
    except IntegrityError as exc:
        raise FixtureRefused(_diagnose(objects, names, using) or [f"The database refused the fixture: {exc}"]) from exc


def _save_all(objects: list[DeserializedObject], names: _RecordNames, using: str) -> None:
    """Save as `loaddata` does (raw saves: signals with raw=True, no field pre_save; an existing pk is updated),
    with fewer queries per record.

    New records are inserted by runs of the same model in fixture order, one INSERT of many rows per batch
    (`_RawInserts`), each with the signals its own raw save would send; the many-to-many rows of new records
    are inserted in bulk instead of one `set()` per record.
    """
    existing = _existing_pks(objects, using)
    deferred = []
    new_m2m: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    inserts = _RawInserts(using)
    for obj in objects:
        instance = obj.object
        if (type(instance), instance.pk) in existing:
            inserts.flush()  # the fixture's order: what comes before it is written before it
            obj.save(using=using)
        else:
            for name, targets in (obj.m2m_data or {}).items():
                through = type(instance)._meta.get_field(name).remote_field.through
                source, target = _through_columns(type(instance), name)
                new_m2m[through] += [through(**{source: instance.pk, target: pk}) for pk in targets]
            obj.m2m_data = None
            if not inserts.add(instance):
                inserts.flush()
                obj.save(using=using, save_m2m=False, force_insert=True)
        if obj.deferred_fields:
            deferred.append(obj)
    inserts.flush()
    for through, rows in new_m2m.items():
        through._default_manager.using(using).bulk_create(rows, batch_size=CHUNK)
    for obj in deferred:  # forward references, as `loaddata` resolves them
        try:
            obj.save_deferred_fields(using=using)
        except DeserializationError as exc:  # a reference to nothing, e.g. an unknown vulnerability code
            raise FixtureRefused([f"{names(obj.object)}: {exc}"]) from exc
    _reset_sequences(objects, list(new_m2m), using)


class _RawInserts:
    """New records of one model at a time, written as `Model.save_base(raw=True, force_insert=True)` writes one
    (pre_save and post_save sent with raw=True, the stored values as they are), in multi-row INSERTs
    (`oimsite.core.workarounds.insert_raw`: the public `bulk_create` would overwrite the fixture's timestamps)."""

    def __init__(self, using: str) -> None:
        self.using = using
        self.model: type[models.Model] | None = None
        self.pending: list[models.Model] = []

    @staticmethod
    def batchable(model: type[models.Model], instance: models.Model) -> bool:
        """A record whose raw save is a single INSERT with nothing to read back: a pk given, no parent table,
        no database-computed value the load reads (a generated column, such as the search's folded twins, is
        left to the database and never read by the load)."""
        meta = model._meta
        returned = [field for field in meta.db_returning_fields if not field.generated]
        return (instance.pk is not None and not meta.parents and not meta.proxy and not meta.auto_created
                and not meta.order_with_respect_to and returned == [meta.pk])

    def add(self, instance: models.Model) -> bool:
        """Queue `instance`; False when it must be saved on its own."""
        model = type(instance)
        if not self.batchable(model, instance):
            return False
        if model is not self.model:
            self.flush()
            self.model = model
        self.pending.append(instance)
        if len(self.pending) >= CHUNK:
            self.flush()
        return True

    def flush(self) -> None:
        if not self.pending:
            return
        model, pending = self.model, self.pending
        self.pending = []
        assert model is not None
        fields = [field for field in model._meta.local_concrete_fields if not field.generated]
        connection = connections[self.using]
        size = max(1, min(CHUNK, connection.ops.bulk_batch_size(fields, pending)))
        for instance in pending:
            models.signals.pre_save.send(sender=model, instance=instance, raw=True, using=self.using,
                                         update_fields=None)
        with transaction.mark_for_rollback_on_error(using=self.using):
            for start in range(0, len(pending), size):
                insert_raw(model, pending[start:start + size], fields=fields, using=self.using)
        for instance in pending:
            instance._state.db = self.using
            instance._state.adding = False
            models.signals.post_save.send(sender=model, instance=instance, created=True, update_fields=None,
                                          raw=True, using=self.using)


def _existing_pks(objects: list[DeserializedObject], using: str) -> set[tuple[type[models.Model], object]]:
    pks: dict[type[models.Model], list] = defaultdict(list)
    for obj in objects:
        if obj.object.pk is not None:
            pks[type(obj.object)].append(obj.object.pk)
    existing = set()
    for model, values in pks.items():
        for start in range(0, len(values), CHUNK):
            found = model._default_manager.using(using).filter(pk__in=values[start:start + CHUNK])
            existing.update((model, pk) for pk in found.values_list("pk", flat=True))
    return existing


def _through_columns(model: type[models.Model], name: str) -> tuple[str, str]:
    field = model._meta.get_field(name)
    return field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"


def _reset_sequences(objects: list[DeserializedObject], extra: list[type[models.Model]], using: str) -> None:
    """Explicit pks leave PostgreSQL's sequences behind: move them past the loaded rows, as `loaddata` does."""
    connection = connections[using]
    model_list = list(dict.fromkeys([type(obj.object) for obj in objects] + extra))
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _diagnose(objects: list[DeserializedObject], names: _RecordNames, using: str) -> list[str]:
    """Replay the writes one savepoint per record, to name each record the database refuses and why."""
    problems: list[str] = []
    connection = connections[using]
    existing = _existing_pks(objects, using)
    try:
        with transaction.atomic(using=using), connection.constraint_checks_disabled():
            for obj in objects:
                try:
                    with transaction.atomic(using=using):
                        obj.save(using=using)
                except IntegrityError as exc:
                    instance = obj.object
                    # A row with this pk already in the database is being updated: not a clash with itself.
                    instance._state.adding = (type(instance), instance.pk) not in existing
                    found = _constraint_messages(instance, names(instance))
                    problems.extend(found or [f"{names(instance)}: {exc}"])
            if not problems:
                try:
                    connection.check_constraints(table_names=sorted({o.object._meta.db_table for o in objects}))
                except IntegrityError as exc:
                    problems.append(str(exc))
            raise _Rollback
    except _Rollback:
        pass
    return problems


def _constraint_messages(instance: models.Model, name: str) -> list[str]:
    """The rule messages of the unique values and constraints that `instance` breaks."""
    found: list[str] = []
    try:
        instance.validate_unique(exclude=[instance._meta.pk.name])
    except ValidationError as error:
        found += _messages(name, error)
    try:
        instance.validate_constraints()
    except ValidationError as error:
        found += _messages(name, error)
    return found


class _Rollback(Exception):
    pass


# --- step 4: rules across records, on the written rows ----------------------------------------------------------

def _validate_written(objects: list[DeserializedObject], names: _RecordNames, using: str) -> list[str]:
    problems: list[str] = []
    pks_by_model: dict[type[models.Model], list] = defaultdict(list)
    for obj in objects:
        pks_by_model[type(obj.object)].append(obj.object.pk)
    for model, pks in pks_by_model.items():
        select, prefetch = RELATED_FOR_VALIDATION.get(model._meta.label_lower, ((), ()))
        # Field values were checked in step 2, unique values and check constraints by the database on write:
        # what is left is each model's clean(), the rules that read other records.
        exclude = [field.name for field in model._meta.concrete_fields]
        for start in range(0, len(pks), CHUNK):
            rows = (model._default_manager.using(using).filter(pk__in=pks[start:start + CHUNK])
                    .select_related(*select).prefetch_related(*prefetch).order_by("pk"))
            for instance in rows:
                try:
                    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
                except ValidationError as error:
                    problems.extend(_messages(names(instance), error))
    return problems


# --- step 5: the casework rules that clean() applies to a change only, and the follow-up schedule ---------------

def _pks(objects: list[DeserializedObject], model: type[models.Model]) -> list:
    return [obj.object.pk for obj in objects if type(obj.object) is model]


def _chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _check_casework(objects: list[DeserializedObject], names: _RecordNames, using: str) -> list[str]:
    """A fixture is new work: held to the rules a form applies to a new record, which `clean()` skips for
    a row read back unchanged. A query per chunk finds the few offenders; the model's own rule names why."""
    problems: list[str] = []
    for model in (Returnee, ResettlementFile):
        for chunk in _chunks(_pks(objects, model)):
            owned = (model._default_manager.using(using).filter(pk__in=chunk, assigned_to__isnull=False)
                     .exclude(assigned_to__is_active=True, assigned_to__is_staff=True).select_related("assigned_to"))
            for case in owned:
                try:
                    check_new_owner(case.assigned_to)
                except ValidationError as error:
                    problems.extend(_messages(names(case), error))
    # A plan abandoned since was agreed when the support was given: its sessions stand.
    plans = ReintegrationPlan.objects.using(using).filter(
        returnee=OuterRef("returnee"), status__in=(*AGREED_OR_DONE, PlanStatus.ABANDONED),
        agreed_on__lte=OuterRef("date"))
    for chunk in _chunks(_pks(objects, SupportSession)):
        unplanned = (SupportSession.objects.using(using).filter(pk__in=chunk, phase=Phase.POST_RETURN)
                     .exclude(kind=Kind.COUNSELLING).exclude(Exists(plans)).select_related("returnee"))
        for session in unplanned:
            errors: dict[str, list] = {}
            session._stored_rule_fields = None  # checked as a new session
            session._check_plan(session.returnee, errors)
            problems.extend(_messages(names(session), ValidationError(errors)))
    open_goals = (PlanGoal.objects.using(using).open().filter(plan__returnee=OuterRef("pk"))
                  .exclude(plan__status=PlanStatus.ABANDONED))
    for chunk in _chunks(_pks(objects, Returnee)):
        for returnee in Returnee.objects.using(using).filter(pk__in=chunk, stage=Stage.COMPLETED).filter(
                Exists(open_goals)):
            errors = {}
            returnee._stored_stage = None  # checked as a case reaching the stage
            check_completed_reintegration(returnee, errors)
            problems.extend(_messages(names(returnee), ValidationError(errors)))
    return problems


def _check_surveys(objects: list[DeserializedObject], names: _RecordNames, using: str) -> list[str]:
    """A survey of the fixture (or one it adds answers to) answers its own version's indicators, each at most
    once and with one of that indicator's answers; a complete one answers them all and stores the scores its
    answers give (`reintegration.sustainability.score`), as the survey form would have."""
    problems: list[str] = []
    survey_pks = set(_pks(objects, SustainabilitySurvey))
    survey_pks.update(obj.object.survey_id for obj in objects if type(obj.object) is SurveyAnswer)
    indicators: dict[int, list[SurveyIndicator]] = {}
    for chunk in _chunks(sorted(survey_pks)):
        surveys = (SustainabilitySurvey.objects.using(using).filter(pk__in=chunk).select_related("version")
                   .prefetch_related("answers__option").order_by("pk"))
        for survey in surveys:
            if survey.version_id not in indicators:
                indicators[survey.version_id] = list(SurveyIndicator.objects.using(using).filter(
                    version_id=survey.version_id).order_by("position", "pk"))
            own = {indicator.pk: indicator for indicator in indicators[survey.version_id]}
            chosen = {}
            for answer in survey.answers.all():
                if answer.indicator_id not in own or answer.option.indicator_id != answer.indicator_id:
                    problems.append(f"{names(survey)}: answers: answer pk {answer.pk} is not an answer to a question "
                                    f"of version {survey.version.number} of the survey.")
                else:
                    chosen[answer.indicator_id] = answer.option
            if survey.status != SurveyStatus.COMPLETE or len(chosen) != len(survey.answers.all()):
                continue
            missing = [indicator.code for indicator in own.values() if indicator.pk not in chosen]
            if missing:
                problems.append(f"{names(survey)}: answers: a complete survey answers every question; "
                                f"{', '.join(missing)} unanswered.")
                continue
            expected = score(survey.version, own.values(), chosen).as_fields()
            wrong = [f"{field} {getattr(survey, field)} (the answers give {value})"
                     for field, value in expected.items() if getattr(survey, field) != value]
            if wrong:
                problems.append(f"{names(survey)}: scores not those of its answers: {'; '.join(wrong)}.")
    return problems


def _schedule_follow_ups(objects: list[DeserializedObject], using: str) -> int:
    """Plan the schedule's follow-ups of the fixture's returned cases that came without them (raw saves do
    not send the signal that plans them): afterwards every returned case has its follow-ups."""
    planned = 0
    for chunk in _chunks(_pks(objects, Returnee)):
        missing = (Returnee.objects.using(using).filter(pk__in=chunk, stage__in=AFTER_RETURN_STAGES,
                                                        departure_date__isnull=False)
                   .exclude(follow_ups__scheduled=True).distinct())
        for returnee in missing:
            planned += len(schedule_follow_ups(returnee))
    return planned
