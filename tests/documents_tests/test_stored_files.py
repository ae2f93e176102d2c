"""No file in the document store without its row: a file written by a save that is rolled back is removed with
the rollback; a deleted document's file (deleted itself, through a QuerySet or with its record) is removed once
the deletion is committed, and kept if the deletion is rolled back."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save

from accounts.roles import CASE_WORKER
from documents.models import Document
from returns.models import Returnee
from tests import helpers as f

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/documents/document/add/"


def stored_files(storage) -> list[Path]:
    return [p for p in Path(storage.location).rglob("*") if p.is_file()]


def new_document(person: Returnee, **fields) -> Document:
    """A document of `person` whose file is written by its save (as the upload form's save does)."""
    values = {"kind": "identity", "original_name": "passport.pdf", "content_type": "application/pdf",
              "size": len(f.PDF_BYTES), **fields}
    return Document(returnee=person, file=ContentFile(f.PDF_BYTES, name="passport.pdf"), **values)


class Failure(Exception):
    pass


def test_a_committed_save_keeps_its_file(document_storage, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        doc = new_document(f.returnee())
        doc.save()
    [path] = stored_files(document_storage)
    assert path.read_bytes() == f.PDF_BYTES and doc.file.name.endswith(path.name)


def test_an_exception_after_the_file_was_written_removes_it_with_the_rollback(document_storage):
    person = f.returnee()
    with pytest.raises(Failure), transaction.atomic():
        new_document(person).save()
        assert len(stored_files(document_storage)) == 1  # written, not yet committed
        raise Failure
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_an_insert_refused_by_the_database_leaves_no_file(document_storage):
    # The file is written before the INSERT (FileField.pre_save); the database then refuses the row.
    with pytest.raises(IntegrityError):
        new_document(f.returnee(), content_type="application/x-msdownload").save()
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


def test_a_rolled_back_savepoint_removes_its_file_and_keeps_the_others(
        document_storage, django_capture_on_commit_callbacks):
    person = f.returnee()
    with django_capture_on_commit_callbacks(execute=True):
        kept = new_document(person)
        kept.save()
        with pytest.raises(Failure), transaction.atomic():
            new_document(person, kind="travel").save()
            raise Failure
    assert list(Document.objects.all()) == [kept]
    [path] = stored_files(document_storage)
    assert kept.file.name.endswith(path.name)


def test_an_upload_whose_request_fails_after_the_save_leaves_no_file(role_client, document_storage):
    person = f.returnee()

    def fail(**kwargs):
        raise Failure

    # A failure after the document's row and file were written, inside the admin's transaction.
    post_save.connect(fail, sender=Document, dispatch_uid="test-fail-after-save")
    try:
        with pytest.raises(Failure):
            role_client(CASE_WORKER).post(ADD_URL, {
                "returnee": person.pk, "kind": "identity", "issued_on": "", "expires_on": "", "notes": "",
                "file": ContentFile(f.PDF_BYTES, name="passport.pdf")})
    finally:
        post_save.disconnect(dispatch_uid="test-fail-after-save", sender=Document)
    assert not Document.objects.exists()
    assert stored_files(document_storage) == []


@pytest.mark.django_db(transaction=True)
def test_the_outermost_transaction_rolled_back_or_committed(document_storage):
    # No test transaction around this one: the atomic blocks below are the outermost transactions.
    person = f.returnee()
    with pytest.raises(Failure), transaction.atomic():
        new_document(person).save()
        raise Failure
    assert stored_files(document_storage) == []
    with transaction.atomic():
        doc = new_document(person)
        doc.save()
    [path] = stored_files(document_storage)
    assert doc.file.name.endswith(path.name)
    doc.delete()  # autocommit: removed at once
    assert stored_files(document_storage) == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_file_stays_when_a_callback_before_its_own_fails(document_storage):
    """Django drops the commit callbacks after one that raises: the dropped keep-callback of a committed
    document must not take its file with it (the row names it)."""
    person = f.returnee()

    def failing() -> None:
        raise Failure

    with pytest.raises(Failure), transaction.atomic():
        transaction.on_commit(failing)  # not robust: the ones registered after it never run
        doc = new_document(person)
        doc.save()
    assert Document.objects.filter(pk=doc.pk).exists()
    [path] = stored_files(document_storage)
    assert doc.file.name.endswith(path.name)


def test_a_queryset_delete_removes_the_files_once_committed(document_storage, django_capture_on_commit_callbacks):
    person, other = f.returnee(), f.returnee()
    f.document(returnee=person)
    f.document(returnee=person, kind="travel")
    f.document(returnee=other)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Document.objects.filter(returnee=person).delete()
    assert len(stored_files(document_storage)) == 3  # not before the commit
    for callback in callbacks:
        callback()
    [path] = stored_files(document_storage)
    assert Document.objects.get().file.name.endswith(path.name)


def test_a_rolled_back_deletion_keeps_the_files(document_storage):
    person = f.returnee()
    f.document(returnee=person)
    with pytest.raises(Failure), transaction.atomic():
        Returnee.objects.filter(pk=person.pk).delete()
        assert not Document.objects.exists()
        raise Failure
    assert Document.objects.count() == 1
    assert len(stored_files(document_storage)) == 1
