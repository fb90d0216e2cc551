"""E-mails to account owners (and admins), always sent after the transaction commits."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction

from common.money import format_cny
from workspaces.models import Account, Membership, Role


def _recipients(account_id: int, roles: tuple[str, ...]) -> list[str]:
    return list(
        Membership.objects.filter(account_id=account_id, role__in=roles)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
        .distinct()
    )


def _send(account_id: int, subject: str, body: str, roles: tuple[str, ...] = (Role.OWNER,)) -> None:
    recipients = _recipients(account_id, roles)
    if recipients:
        name = Account.objects.filter(pk=account_id).values_list("name", flat=True).first() or ""
        send_mass_mail(
            [
                (
                    f"[Billing Center] {name}: {subject}",
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    recipients,
                )
            ],
            fail_silently=True,
        )


def on_commit_arrears_started(*, account_id: int, amount: Decimal, lock_on: date) -> None:
    transaction.on_commit(
        lambda: _send(
            account_id,
            "your account is in arrears",
            f"Your account owes {format_cny(amount)}. Unless the debt is paid, its workspaces "
            "will be "
            f"locked on {lock_on:%Y-%m-%d}. A cash credit or a prepaid card pays the debt first.",
        )
    )


def on_commit_arrears_reminder(*, account_id: int, amount: Decimal, lock_on: date) -> None:
    transaction.on_commit(
        lambda: _send(
            account_id,
            "workspaces lock in 3 days",
            f"Your account still owes {format_cny(amount)}. Its workspaces will be locked on "
            f"{lock_on:%Y-%m-%d} unless the debt is paid.",
        )
    )


def on_commit_locked(*, account_id: int, amount: Decimal) -> None:
    transaction.on_commit(
        lambda: _send(
            account_id,
            "workspaces locked",
            f"Your account owes {format_cny(amount)} for more than 14 days, so its workspaces are "
            "locked. They unlock as soon as the debt is paid.",
        )
    )


def on_commit_arrears_cleared(*, account_id: int) -> None:
    transaction.on_commit(
        lambda: _send(
            account_id,
            "debt paid",
            "Your account owes nothing any more; its workspaces are active.",
        )
    )


def on_commit_spend_alert(
    *, account_id: int, workspace: str, item: str, day: date, amount: Decimal, threshold: Decimal
) -> None:
    transaction.on_commit(
        lambda: _send(
            account_id,
            f"high spend on {workspace}",
            f"On {day:%Y-%m-%d}, {item} of workspace {workspace} cost {format_cny(amount)}, "
            f"above your alert threshold of {format_cny(threshold)}.",
            roles=(Role.OWNER, Role.ADMIN),
        )
    )
