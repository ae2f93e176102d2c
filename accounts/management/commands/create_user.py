"""Create (or update) a staff account in one of the four roles."""

import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.roles import ROLE_PERMISSIONS


class Command(BaseCommand):
    help = (
        "Create a user in a role, e.g. `create_user amina --role \"Gestionnaire de cas\"`. The password comes "
        "from OIM_NEW_USER_PASSWORD or is asked for; it must pass the password validators."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=list(ROLE_PERMISSIONS), help="One of the four roles.")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--no-password", action="store_true",
                            help="Leave the password unusable (set it later with changepassword).")

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        User = get_user_model()
        try:
            group = Group.objects.get(name=options["role"])
        except Group.DoesNotExist as exc:
            raise CommandError(f"The role {options['role']!r} does not exist: run `manage.py migrate`.") from exc
        user, created = User.objects.get_or_create(username=options["username"])
        for field in ("email", "first_name", "last_name"):
            if options[field]:
                setattr(user, field, options[field])
        # Staff status only opens the admin's door: what is inside follows the role's permissions.
        user.is_staff = True
        user.is_active = True
        if options["no_password"]:
            if created:
                user.set_unusable_password()
        else:
            password = os.environ.get("OIM_NEW_USER_PASSWORD") or getpass.getpass("Password: ")
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            user.set_password(password)
        user.save()
        # One role per account: need-to-know, and the matrix stays readable.
        user.groups.set([group])
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {user.get_username()} in the role {group.name}."))
