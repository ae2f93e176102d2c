"""Documents a case depends on (identity and travel documents, signed declarations, medical fitness), attached
to one returnee, resettlement file or refugee.

The file itself is stored under a generated name in the `documents` storage (documents/storage.py), out of
reach of any URL; it is read back only through the download view, which checks the viewer's permission on
the record the document belongs to, and logs the download. A document is deleted with its record, and its
stored file once that deletion is committed; a file written by a save that is rolled back is deleted too.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oimsite.core.text import SafeTextFields

from .storage import delete_unless_committed, documents_storage
from .validation import CONTENT_TYPES


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Identity document")
    TRAVEL = "travel", _("Travel document")
    CONSENT = "consent", _("Signed consent form")
    VOLUNTARINESS = "voluntariness", _("Voluntariness declaration")
    MEDICAL = "medical", _("Medical fitness certificate")
    OTHER = "other", _("Other document")


# The record a document may belong to: its field, and the permissions to see it and to attach to it.
PARENTS: dict[str, tuple[str, str]] = {
    "returnee": ("returns.view_returnee", "returns.change_returnee"),
    "resettlement_file": ("resettlement.view_resettlementfile", "resettlement.change_resettlementfile"),
    "refugee": ("resettlement.view_refugee", "resettlement.change_refugee"),
}


def stored_name(instance: Document, filename: str) -> str:
    """A generated name: nothing of the uploaded name reaches the storage (no path, no clash, no guess)."""
    extension = CONTENT_TYPES.get(instance.content_type, "")
    key = uuid.uuid4().hex
    return f"{key[:2]}/{key}{extension}"


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: Any) -> DocumentQuerySet:
        """The documents whose record the user may view (and only if they may view documents at all)."""
        if not user.has_perm("documents.view_document"):
            return self.none()
        allowed = Q(pk__in=[])
        for field, (view_perm, _change_perm) in PARENTS.items():
            if user.has_perm(view_perm):
                allowed |= Q(**{f"{field}__isnull": False})
        return self.filter(allowed)


class Document(SafeTextFields):
    returnee = models.ForeignKey("returns.Returnee", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="documents", verbose_name=_("returnee"))
    resettlement_file = models.ForeignKey("resettlement.ResettlementFile", on_delete=models.CASCADE, null=True,
                                          blank=True, related_name="documents", verbose_name=_("resettlement file"))
    refugee = models.ForeignKey("resettlement.Refugee", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="documents", verbose_name=_("refugee"))
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=stored_name, storage=documents_storage, max_length=100)
    original_name = models.CharField(_("file name"), max_length=200, editable=False)
    content_type = models.CharField(_("file type"), max_length=40, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("uploaded by"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            # Exactly one record: a document never floats free, nor belongs to two people.
            models.CheckConstraint(
                condition=Q(returnee__isnull=False, resettlement_file__isnull=True, refugee__isnull=True)
                | Q(returnee__isnull=True, resettlement_file__isnull=False, refugee__isnull=True)
                | Q(returnee__isnull=True, resettlement_file__isnull=True, refugee__isnull=False),
                name="document_one_record",
                violation_error_message=_("A document belongs to one returnee, one resettlement file or one refugee."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(issued_on__isnull=True) | Q(expires_on__gte=F("issued_on")),
                name="document_expires_after_issue",
                violation_error_message=_("A document cannot expire before it was issued."),
            ),
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"),
            models.CheckConstraint(condition=Q(content_type__in=list(CONTENT_TYPES)), name="document_type_allowed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name}"

    def get_absolute_url(self) -> str:
        return reverse("documents:download", args=[self.pk])

    @property
    def parent_field(self) -> str | None:
        for field in PARENTS:
            if getattr(self, f"{field}_id") is not None:
                return field
        return None

    @property
    def parent(self) -> models.Model | None:
        field = self.parent_field
        return getattr(self, field) if field else None

    def can_be_viewed_by(self, user: Any) -> bool:
        field = self.parent_field
        return (field is not None and user.has_perm("documents.view_document")
                and user.has_perm(PARENTS[field][0]))

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save the row, and write its new file (FileField does, before the INSERT) so that a rollback of the
        transaction removes the file too: no file in the store without its row."""
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        # FieldFile's own flag: False until its content is written to the storage.
        writes_file = bool(self.file) and not self.file._committed
        with transaction.atomic(using=using):
            try:
                super().save(*args, **kwargs)
            finally:
                if writes_file and self.file._committed:
                    name = self.file.name
                    delete_unless_committed(self.file.storage, name, using,
                                            lambda: Document.objects.using(using).filter(file=name).exists())

    def clean(self) -> None:
        errors: dict[str, list] = {}
        parents = [field for field in PARENTS if getattr(self, f"{field}_id") is not None]
        if len(parents) != 1:
            errors.setdefault("__all__", []).append(
                _("Attach the document to exactly one returnee, resettlement file or refugee."))
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            errors.setdefault("expires_on", []).append(_("A document cannot expire before it was issued."))
        if errors:
            raise ValidationError(errors)


def remove_stored_file(sender: type[Document], instance: Document, **kwargs: Any) -> None:
    """Delete the stored file once the deletion of its row is committed (never before: a rollback would
    leave a row without its file)."""
    name = instance.file.name
    if not name:
        return
    storage = instance.file.storage
    using = kwargs.get("using")
    # Robust: a store that fails to delete must not stop the callbacks after this one (a new document's file
    # is kept by its own callback, storage.delete_unless_committed).
    transaction.on_commit(lambda: storage.delete(name), using=using, robust=True)
