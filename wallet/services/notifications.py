"""E-mails of the arrears countdown (SPEC 5.4) and of the low-balance alert: outbox rows written
in the transaction of the change that causes them (common/outbox.py), sent by the outbox's
Celery task."""

from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from post_office.models import Email

from common.money import format_cny
from common.outbox import Notice, notices_queue
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


def arrears_started_mail_many(*, started: list[tuple[int, Decimal, datetime]]) -> list[Email]:
    """The countdown e-mails of one settlement chunk, queued with its rows (two queries)."""
    account_ids = [account_id for account_id, _amount, _day in started]
    if not account_ids:
        return []
    recipients: dict[int, list[str]] = {}
    for account_id, email in (
        Membership.objects.filter(account_id__any=account_ids, role=Role.OWNER)
        .exclude(user__email="")
        .order_by("account_id", "user__email")
        .values_list("account_id", "user__email")
    ):
        recipients.setdefault(account_id, []).append(email)
    names = dict(Account.objects.filter(pk__any=account_ids).values_list("pk", "name"))
    notices = []
    for account_id, amount, lock_at in started:
        if recipients.get(account_id):
            subject, body = mail_compose(
                names[account_id], *_arrears_started_texts(amount, lock_at)
            )
            notices.append(Notice(recipients[account_id], subject, body))
    return notices_queue(notices)


def arrears_reminder_mail(*, account_id: int, amount: Decimal, lock_at: datetime) -> Email | None:
    return account_mail(
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


def locked_mail(*, account_id: int, amount: Decimal) -> Email | None:
    return account_mail(
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


def arrears_cleared_mail(*, account_id: int) -> Email | None:
    return account_mail(
        account_id,
        lambda: _("debt paid"),
        lambda: _("Your account owes nothing any more; its workspaces are active."),
    )


def low_balance_mail(
    *, account_id: int, balance: Decimal, threshold: Decimal, with_cards: bool
) -> Email | None:
    """The low-balance alert, to owners and admins (those who top up or ask for it)."""
    values = {"balance": format_cny(balance), "threshold": format_cny(threshold)}

    def body() -> str:
        if with_cards:
            text = _(
                "Cash and prepaid cards of the account hold %(balance)s, below your alert "
                "threshold of %(threshold)s."
            )
        else:
            text = _(
                "The cash balance of the account is %(balance)s, below your alert threshold of "
                "%(threshold)s."
            )
        advice = _(
            "Top up by bank remittance or buy a prepaid card before usage runs into arrears. "
            "You hear again only after the balance was back above the threshold."
        )
        return f"{text % values} {advice}"

    return account_mail(
        account_id,
        lambda: _("low balance"),
        body,
        roles=(Role.OWNER, Role.ADMIN),
    )
