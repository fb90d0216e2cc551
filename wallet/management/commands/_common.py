"""Shared parsing for the operations commands: one readable line on bad input."""

from django.core.management.base import CommandError

from workspaces.models import Account


def account_or_fail(account_id: int) -> Account:
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        raise CommandError(f"account {account_id}: no such account.")
    return account
