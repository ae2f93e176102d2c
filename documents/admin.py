from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from oimsite.lists.admin_base import SafeAutocompleteSelect, SafeModelChoiceField

from .models import PARENTS, Document
from .uploads import PATH_IN_NAME, RefusedUpload, refused_uploads
from .validation import max_upload_bytes, sniff, validate_original_name, validate_size

TOO_LARGE = _("This file is larger than the limit of %(limit)s: nothing was saved.")


class DocumentAdminForm(forms.ModelForm):
    """The upload: the file's name, size and content are checked here; the file is stored under a generated
    name (Document.file's upload_to) only once the whole form is valid."""

    request: HttpRequest | None = None  # set by DocumentAdmin.get_form

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if self.instance.pk is not None or upload is None:
            return upload
        validate_original_name(upload.name, field=capfirst(self.fields["file"].label))
        validate_size(upload.size)
        self.instance.content_type = sniff(upload)
        self.instance.original_name = upload.name
        self.instance.size = upload.size
        return upload

    def _refusal_error(self, field: str, refusal: RefusedUpload) -> ValidationError:
        if refusal.reason == PATH_IN_NAME:
            # The parser refused this name with the same check: it raises again, now naming the field.
            try:
                validate_original_name(refusal.file_name, field=capfirst(self.fields[field].label))
            except ValidationError as error:
                return error
        return ValidationError(TOO_LARGE % {"limit": filesizeformat(max_upload_bytes())})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        refused = refused_uploads(self.request) if self.request is not None else {}
        for field, refusal in refused.items():
            if field in self.fields:
                # The file never reached the form: say why it was refused rather than "this field is required".
                self.errors.pop(field, None)
                self.add_error(field, self._refusal_error(field, refusal))
        if self.instance.pk is None and self.request is not None:
            chosen = [field for field in PARENTS if cleaned.get(field)]
            if len(chosen) != 1:
                raise ValidationError(
                    _("Attach the document to exactly one returnee, resettlement file or refugee."))
            field = chosen[0]
            if not self.request.user.has_perm(PARENTS[field][1]):
                self.add_error(field, _("You may not add documents to this kind of record."))
        return cleaned


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentAdminForm
    list_display = ("original_name", "kind", "record", "issued_on", "expires_on", "uploaded_by", "uploaded_at")
    list_filter = ("kind",)
    search_fields = ("^returnee__case_number", "^resettlement_file__file_number", "^refugee__family_name",
                     "original_name")
    autocomplete_fields = ("returnee", "resettlement_file", "refugee")
    list_select_related = ("returnee", "resettlement_file", "refugee", "uploaded_by")
    show_full_result_count = False
    list_per_page = 50

    def get_fields(self, request: HttpRequest, obj: Document | None = None) -> list[str]:
        if obj is None:
            return ["returnee", "resettlement_file", "refugee", "kind", "file", "issued_on", "expires_on", "notes"]
        return ["record", "kind", "download", "content_type", "size", "issued_on", "expires_on", "notes",
                "uploaded_by", "uploaded_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Document | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        # The file and its record are fixed: another file is another document.
        return ("record", "download", "content_type", "size", "uploaded_by", "uploaded_at")

    def get_form(self, request: HttpRequest, obj: Document | None = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs: Any):
        kwargs.setdefault("form_class", SafeModelChoiceField)
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return super().get_queryset(request).visible_to(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        if obj is not None and not obj.can_be_viewed_by(request.user):
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        if obj is not None and not (obj.can_be_viewed_by(request.user)
                                    and request.user.has_perm(PARENTS[obj.parent_field][1])):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("record"))
    def record(self, obj: Document) -> str:
        parent = obj.parent
        if parent is None:
            return "—"
        return format_html('<a href="{}">{}</a>', parent.get_absolute_url(), parent)

    @admin.display(description=_("file"))
    def download(self, obj: Document) -> str:
        return format_html('<a href="{}">{}</a>', reverse("documents:download", args=[obj.pk]), obj.original_name)
