from django.core.management.base import BaseCommand, CommandError

from common.exceptions import ApplicationError
from workspaces.services import account_create


class Command(BaseCommand):
    help = "Create a billing account with its owner user; prints the account id."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Account (enterprise) name")
        parser.add_argument("--username", required=True, help="Owner's username")
        parser.add_argument("--password", required=True, help="Owner's password")
        parser.add_argument("--email", default="", help="Owner's e-mail address")

    def handle(self, *args, **options):
        try:
            account = account_create(
                name=options["name"],
                owner_username=options["username"],
                owner_password=options["password"],
                owner_email=options["email"],
            )
        except ApplicationError as error:
            raise CommandError(f"{error.field or 'input'}: {error.message}") from None
        self.stdout.write(str(account.pk))
