from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from oimsite.core import panels

        from .models import Document, remove_stored_file
        from .panels import PANELS

        for label, panel in PANELS.items():
            panels.register(label, panel)
        post_delete.connect(remove_stored_file, sender=Document, dispatch_uid="documents.remove_stored_file")
