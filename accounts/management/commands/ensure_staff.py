"""Make sure a staff login exists, and say how to use it."""

import os
import secrets
import string

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.roles import CASE_WORKER


class Command(BaseCommand):
    help = (
        "Create the administrator account (username from OIM_ADMIN_USERNAME, default 'admin') if no "
        "superuser exists, and print how to log in."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Address printed for logging in.")

    def handle(self, *args, **options) -> None:
        User = get_user_model()
        username = os.environ.get("OIM_ADMIN_USERNAME", "admin")
        password_file = settings.VAR_DIR / "admin-password.txt"
        user = User.objects.filter(username=username).first()
        if user is None and User.objects.filter(is_superuser=True).exists():
            self.stdout.write("A superuser account already exists; log in with it at " + options["url"])
            return
        if user is None:
            password = os.environ.get("OIM_ADMIN_PASSWORD") or self._new_password()
            User.objects.create_superuser(username=username, email="", password=password)
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
            created = True
        else:
            created = False
            password = password_file.read_text().strip() if password_file.exists() else None
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Log in at {options['url']}"))
        self.stdout.write(f"  username: {username}")
        if password:
            self.stdout.write(f"  password: {password}" + ("" if created else f"   (kept in {password_file})"))
        else:
            self.stdout.write(f"  password: as you set it (python manage.py changepassword {username})")
        self.stdout.write("")
        if settings.DEBUG:
            self._case_worker_login(options["url"])

    def _case_worker_login(self, url: str) -> None:
        """In development, a login of one of the baseline's case workers, who lands on My work (the baseline's
        staff have no password of their own)."""
        User = get_user_model()
        worker = (User.objects.filter(groups__name=CASE_WORKER, is_active=True).order_by("username").first())
        if worker is None:
            return
        password_file = settings.VAR_DIR / "caseworker-password.txt"
        kept = password_file.read_text().split() if password_file.exists() else []
        if len(kept) == 2 and kept[0] == worker.username and worker.check_password(kept[1]):
            password = kept[1]
        else:
            password = self._new_password()
            worker.set_password(password)
            worker.save(update_fields=["password"])
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            password_file.write_text(f"{worker.username} {password}\n")
            password_file.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Or as a case worker (lands on My work) at {url}"))
        self.stdout.write(f"  username: {worker.username}")
        self.stdout.write(f"  password: {password}   (kept in {password_file})")
        self.stdout.write("")

    @staticmethod
    def _new_password() -> str:
        alphabet = string.ascii_letters + string.digits
        return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))
