"""Shared parsing for the operations commands: one readable line on bad input."""

from django.core.management.base import CommandError
from django.utils import timezone

from common.exceptions import ApplicationError
from workspaces.models import Account


def account_or_fail(account_id: int) -> Account:
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        raise CommandError(f"account {account_id}: no such account.")
    return account


def for_the_account(service, options: dict, **arguments) -> tuple[Account | None, object]:
    """Call a wallet service now for --account (None: no account) and --amount; returns (the
    account, what the service returned). A domain error becomes one CommandError line."""
    account = None if options["account"] is None else account_or_fail(options["account"])
    try:
        result = service(
            account_id=account.pk if account else None,
            amount=options["amount"],
            now=timezone.now(),
            **arguments,
        )
    except ApplicationError as error:
        raise CommandError(f"{error.field or 'input'}: {error.message}") from None
    return account, result
