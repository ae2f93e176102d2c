"""Documents: upload checked by content, size and name; stored under a generated name outside any URL; downloaded
only by those who may view the record, each download in the audit log; deleted with the record, file included."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent, AuditEventKind
from accounts.roles import CASE_WORKER, DATA_OFFICER, RESETTLEMENT_OFFICER
from documents.admin import DocumentAdminForm
from documents.models import Document
from documents.validation import detect_content_type, validate_original_name
from oimsite.core.deletion import delete_with_dependents
from tests import helpers as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield

ADD_URL = "/admin/documents/document/add/"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


def stored_files(storage) -> list[Path]:
    return [p for p in Path(storage.location).rglob("*") if p.is_file()]


def upload(client, *, content: bytes = f.PDF_BYTES, name: str = "passeport.pdf", **parent):
    data = {"kind": "identity", "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
            "issued_on": "", "expires_on": "", "notes": ""}
    data.update({key: str(value.pk) for key, value in parent.items()})
    return f.in_english(client).post(ADD_URL, data)


def form_errors(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def test_a_case_worker_uploads_a_pdf_stored_under_a_generated_name(role_client, document_storage):
    person = f.returnee()
    client = role_client(CASE_WORKER)
    response = upload(client, returnee=person)
    assert response.status_code == 302, form_errors(response)
    doc = Document.objects.get()
    assert (doc.returnee, doc.original_name, doc.content_type, doc.size) == (
        person, "passeport.pdf", "application/pdf", len(f.PDF_BYTES))
    assert doc.uploaded_by == client.user
    assert "passeport" not in doc.file.name and doc.file.name.endswith(".pdf")
    [path] = stored_files(document_storage)
    assert path.read_bytes() == f.PDF_BYTES
    # Outside the static files and of any URL.
    with pytest.raises(ValueError):
        doc.file.url  # noqa: B018


def test_allowed_types_are_recognised_by_their_content_not_their_name():
    assert detect_content_type(f.PDF_BYTES) == "application/pdf"
    assert detect_content_type(f.PNG_BYTES) == "image/png"
    assert detect_content_type(f.JPEG_BYTES) == "image/jpeg"
    assert detect_content_type(ELF) is None
    assert detect_content_type(b"MZ\x90\x00" + b"%PDF" * 3) is None


@pytest.mark.parametrize(("content", "name", "message"), [
    (ELF, "passeport.pdf", "This file is not a PDF, JPEG or PNG document (its content was checked, not its name)."),
    (b"<html><script>alert(1)</script></html>", "scan.png", "This file is not a PDF, JPEG or PNG document"),
    (b"", "vide.pdf", "The submitted file is empty."),
])
def test_a_refused_upload_says_why_and_writes_nothing(role_client, document_storage, content, name, message):
    response = upload(role_client(CASE_WORKER), content=content, name=name, returnee=f.returnee())
    assert response.status_code == 200
    assert message in form_errors(response)
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def post_raw_upload(client, disposition: bytes, *, content: bytes = f.PDF_BYTES, **parent):
    """The add page posted as a client may send it, with the file part's Content-Disposition as given (the test
    client would keep only the last part of a file name; a hand-made request does not)."""
    boundary = b"oim-test-boundary"
    fields = {"kind": "identity", "issued_on": "", "expires_on": "", "notes": "",
              **{key: str(value.pk) for key, value in parent.items()}}
    parts = [b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
             % (boundary, key.encode(), value.encode()) for key, value in fields.items()]
    parts.append(b"--%s\r\nContent-Disposition: form-data; name=\"file\"; %s\r\n"
                 b"Content-Type: application/pdf\r\n\r\n%s\r\n" % (boundary, disposition, content))
    body = b"".join(parts) + b"--%s--\r\n" % boundary
    return f.in_english(client).post(ADD_URL, data=body,
                                     content_type=f"multipart/form-data; boundary={boundary.decode()}")


PATH_REFUSED = "File: the file name “{}” contains a folder or path (/, \\ or ..) or a NUL character."


@pytest.mark.parametrize(("disposition", "shown"), [
    (b'filename="../../../etc/cron.d/evil.pdf"', "../../../etc/cron.d/evil.pdf"),
    (b'filename="scans/evil.pdf"', "scans/evil.pdf"),
    (b'filename="C:\\fakepath\\evil.pdf"', "C:\\fakepath\\evil.pdf"),
    (b'filename="..\\..\\windows\\evil.pdf"', "..\\..\\windows\\evil.pdf"),
    (b'filename="evil..pdf"', "evil..pdf"),
    (b'filename=".."', ".."),
    (b'filename="scan\x00.pdf"', "scan\ufffd.pdf"),
    (b"filename*=UTF-8''..%2F..%2Fevil.pdf", "../../evil.pdf"),
    (b'filename="..&#x2F;evil.pdf"', "../evil.pdf"),
])
def test_a_path_in_the_posted_file_name_is_refused_and_nothing_is_written(
        role_client, document_storage, disposition, shown):
    response = post_raw_upload(role_client(CASE_WORKER), disposition, returnee=f.returnee())
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["file"]
    assert PATH_REFUSED.format(shown) in errors["file"][0]
    assert "nothing was saved" in errors["file"][0]
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_a_plain_posted_file_name_is_kept(role_client, document_storage):
    response = post_raw_upload(role_client(CASE_WORKER), 'filename="déclaration 2024.pdf"'.encode(),
                               returnee=f.returnee())
    assert response.status_code == 302
    assert Document.objects.get().original_name == "déclaration 2024.pdf"
    assert len(stored_files(document_storage)) == 1


@pytest.mark.parametrize("name", ["..\\x.pdf", "scan\x00.pdf", "a..b.pdf"])
def test_the_document_form_refuses_a_path_in_the_file_name(name):
    # What reaches the form by another way than the upload page (Django's UploadedFile already cuts at "/").
    person = f.returnee()
    form_class = modelform_factory(Document, form=DocumentAdminForm, fields=["returnee", "kind", "file"])
    form = form_class(data={"returnee": person.pk, "kind": "identity"},
                      files={"file": SimpleUploadedFile(name, f.PDF_BYTES)})
    assert not form.is_valid()
    assert PATH_REFUSED.format(name.replace("\x00", "\ufffd")) in form.errors["file"][0]


@pytest.mark.parametrize("name", ["a/b.pdf", "a\\b.pdf", "..", "x..pdf", "scan\x00.pdf", "scan\u202e.pdf",
                                  "x" * 201])
def test_names_with_paths_or_control_characters_are_refused(name):
    with pytest.raises(ValidationError) as exc:
        validate_original_name(name)
    assert exc.value.code == "file_name"


@override_settings(OIM_DOCUMENT_MAX_BYTES=4096)
def test_a_file_over_the_limit_is_dropped_while_it_arrives(role_client, document_storage):
    response = upload(role_client(CASE_WORKER), content=b"%PDF-1.4\n" + b"0" * 10_000, returnee=f.returnee())
    assert response.status_code == 200
    assert "This file is larger than the limit of 4.0\xa0KB: nothing was saved." in form_errors(response)
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


@pytest.mark.slow
def test_a_200_mb_upload_is_refused_without_a_500(role_client, document_storage):
    response = upload(role_client(CASE_WORKER), content=b"%PDF-1.4\n" + bytes(200 * 1024 * 1024),
                      returnee=f.returnee())
    assert response.status_code == 200
    assert "This file is larger than the limit of 10.0\xa0MB: nothing was saved." in form_errors(response)
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_a_document_belongs_to_exactly_one_record_the_uploader_may_change(role_client, document_storage):
    person, family = f.returnee(), f.resettlement_file()
    client = role_client(CASE_WORKER)
    response = upload(client, returnee=person, resettlement_file=family)
    assert "Attach the document to exactly one returnee, resettlement file or refugee." in form_errors(response)
    response = upload(client)
    assert "Attach the document to exactly one returnee, resettlement file or refugee." in form_errors(response)
    # A case worker does not see resettlement files: the autocomplete's choice is refused too.
    response = upload(client, resettlement_file=family)
    assert response.status_code in (200, 403)
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_download_by_an_allowed_role_is_an_attachment_and_is_logged(role_client):
    doc = f.document(returnee=f.returnee(), name="déclaration signée.pdf")
    client = role_client(CASE_WORKER)
    response = client.get(reverse("documents:download", args=[doc.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == f.PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''d%C3%A9claration%20sign%C3%A9e.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(kind=AuditEventKind.DOWNLOAD)
    assert event.user == client.user
    assert event.detail["document"] == doc.pk and event.detail["record"] == f"returns.returnee:{doc.returnee_id}"


@pytest.mark.parametrize(("role", "status"), [(CASE_WORKER, 403), (RESETTLEMENT_OFFICER, 200), (DATA_OFFICER, 200),
                                              (None, 403)])
def test_download_of_a_refugee_document_follows_the_view_permission_on_the_refugee(role_client, role, status):
    family = f.resettlement_file()
    doc = f.document(refugee=family.refugees.get(), content=f.PNG_BYTES, name="photo.png")
    response = f.in_english(role_client(role)).get(reverse("documents:download", args=[doc.pk]))
    assert response.status_code == status
    if status == 403:
        assert b"You may not view the record this document belongs to." in response.content
        assert not AuditEvent.objects.filter(kind=AuditEventKind.DOWNLOAD).exists()
    else:
        assert response["Content-Type"] == "image/png"


def test_a_document_whose_file_is_lost_is_a_404_not_a_500(role_client, document_storage):
    doc = f.document(returnee=f.returnee())
    document_storage.delete(doc.file.name)
    response = role_client(CASE_WORKER).get(reverse("documents:download", args=[doc.pk]))
    assert response.status_code == 404


def test_the_admin_lists_only_documents_of_records_one_may_view(role_client):
    f.document(returnee=f.returnee(), name="returnee.pdf")
    f.document(resettlement_file=f.resettlement_file(), name="file.pdf")
    page = role_client(RESETTLEMENT_OFFICER).get("/admin/documents/document/").content.decode()
    assert "file.pdf" in page and "returnee.pdf" not in page


def test_documents_are_deleted_with_their_record_and_their_files_once_committed(
        document_storage, django_capture_on_commit_callbacks):
    person = f.returnee()
    f.document(returnee=person)
    family = f.resettlement_file(size=2)
    f.document(resettlement_file=family)
    f.document(refugee=family.refugees.first(), content=f.JPEG_BYTES, name="photo.jpg")
    assert len(stored_files(document_storage)) == 3
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        person.delete()
    assert len(stored_files(document_storage)) == 3  # not before the commit
    for callback in callbacks:
        callback()
    assert len(stored_files(document_storage)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        delete_with_dependents(family, ("refugees",))
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_the_detail_pages_list_the_documents_with_their_download_links(role_client):
    person = f.returnee()
    doc = f.document(returnee=person, kind="travel", name="passeport.pdf")
    page = f.in_english(role_client(CASE_WORKER)).get(person.get_absolute_url()).content.decode()
    assert reverse("documents:download", args=[doc.pk]) in page
    assert "Travel document" in page and f"/admin/documents/document/add/?returnee={person.pk}" in page


def test_the_storage_backend_and_its_options_are_read_from_the_environment(tmp_path):
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='oimsite.settings'; django.setup(); "
            "from django.conf import settings; from django.core.files.storage import storages; "
            "print(settings.STORAGES['documents']['BACKEND']); print(type(storages['documents']).__name__); "
            "print(storages['documents'].location)")
    env = {**os.environ, "OIM_DOCUMENTS_DIR": str(tmp_path / "docs")}
    env.pop("OIM_DOCUMENTS_BACKEND", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout.split()
    assert out == ["documents.storage.PrivateFileSystemStorage", "PrivateFileSystemStorage", str(tmp_path / "docs")]
    env.update(OIM_DOCUMENTS_BACKEND="django.core.files.storage.InMemoryStorage",
               OIM_DOCUMENTS_OPTIONS='{"location": "bucket"}')
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout.split()
    assert out[:2] == ["django.core.files.storage.InMemoryStorage", "InMemoryStorage"]
    env["OIM_DOCUMENTS_OPTIONS"] = "[1, 2]"
    failed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert failed.returncode != 0 and "OIM_DOCUMENTS_OPTIONS: a JSON object is needed" in failed.stderr


def test_a_document_cannot_expire_before_it_was_issued():
    with pytest.raises(Exception, match="cannot expire before it was issued"):
        f.document(returnee=f.returnee(), issued_on=date(2024, 5, 1), expires_on=date(2024, 4, 1))
