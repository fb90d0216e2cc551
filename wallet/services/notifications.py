"""E-mails of the arrears countdown (SPEC 5.4), always sent after the transaction commits."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils.translation import gettext as _

from common.money import format_cny
from workspaces.mail import account_mail, format_moment, mail_compose
from workspaces.models import Account, Membership, Role


def _arrears_started_texts(amount: Decimal, lock_at: datetime):
    return (
        lambda: _("your account is in arrears"),
        lambda: (
            _(
                "Your account owes %(amount)s. Unless the debt is paid, its workspaces "
                "will be locked on %(day)s. A cash credit or a prepaid card pays the debt "
                "first."
            )
            % {"amount": format_cny(amount), "day": format_moment(lock_at)}
        ),
    )


def on_commit_arrears_started_many(*, started: list[tuple[int, Decimal, datetime]]) -> None:
    """The countdown e-mails of one settlement chunk: one query, one mail connection."""

    def send() -> None:
        account_ids = [account_id for account_id, _amount, _day in started]
        recipients: dict[int, list[str]] = {}
        for account_id, email in (
            Membership.objects.filter(account_id__any=account_ids, role=Role.OWNER)
            .exclude(user__email="")
            .values_list("account_id", "user__email")
        ):
            recipients.setdefault(account_id, []).append(email)
        names = dict(Account.objects.filter(pk__any=account_ids).values_list("pk", "name"))
        messages = []
        for account_id, amount, lock_at in started:
            if recipients.get(account_id):
                subject, body = mail_compose(
                    names[account_id], *_arrears_started_texts(amount, lock_at)
                )
                messages.append(
                    (subject, body, settings.DEFAULT_FROM_EMAIL, recipients[account_id])
                )
        if messages:
            send_mass_mail(messages, fail_silently=True)

    transaction.on_commit(send)


def on_commit_arrears_reminder(*, account_id: int, amount: Decimal, lock_at: datetime) -> None:
    transaction.on_commit(
        lambda: account_mail(
            account_id,
            lambda: _("workspaces lock in 3 days"),
            lambda: (
                _(
                    "Your account still owes %(amount)s. Its workspaces will be locked on %(day)s "
                    "unless the debt is paid."
                )
                % {"amount": format_cny(amount), "day": format_moment(lock_at)}
            ),
        )
    )


def on_commit_locked(*, account_id: int, amount: Decimal) -> None:
    transaction.on_commit(
        lambda: account_mail(
            account_id,
            lambda: _("workspaces locked"),
            lambda: (
                _(
                    "Your account owes %(amount)s for more than 14 days, so its workspaces "
                    "are locked. They unlock as soon as the debt is paid."
                )
                % {"amount": format_cny(amount)}
            ),
        )
    )


def on_commit_arrears_cleared(*, account_id: int) -> None:
    transaction.on_commit(
        lambda: account_mail(
            account_id,
            lambda: _("debt paid"),
            lambda: _("Your account owes nothing any more; its workspaces are active."),
        )
    )
