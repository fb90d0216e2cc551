"""E-mails to account owners (and admins), always sent after the transaction commits.

Each e-mail carries English and Simplified Chinese (the customer's language is not known per
recipient); both come from the translation catalogs.
"""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from common.dates import billing_zone
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


def _compose(name: str, subject, body) -> tuple[str, str]:
    texts = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            texts.append((subject(), body()))
    return (
        f"[Billing Center] {name}: {texts[0][0]} / {texts[1][0]}",
        f"{texts[0][1]}\n\n{texts[1][1]}",
    )


def format_moment(moment: datetime) -> str:
    """A moment as customers read it: the billing time zone's date and time, zone named."""
    local = moment.astimezone(billing_zone())
    return f"{local:%Y-%m-%d %H:%M} ({billing_zone().key})"


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
                subject, body = _compose(
                    names[account_id], *_arrears_started_texts(amount, lock_at)
                )
                messages.append(
                    (subject, body, settings.DEFAULT_FROM_EMAIL, recipients[account_id])
                )
        if messages:
            send_mass_mail(messages, fail_silently=True)

    transaction.on_commit(send)


def _send(account_id: int, subject, body, roles: tuple[str, ...] = (Role.OWNER,)) -> None:
    """subject and body are callables, rendered once per language."""
    recipients = _recipients(account_id, roles)
    if not recipients:
        return
    name = Account.objects.filter(pk=account_id).values_list("name", flat=True).first() or ""
    message_subject, message_body = _compose(name, subject, body)
    send_mass_mail(
        [(message_subject, message_body, settings.DEFAULT_FROM_EMAIL, recipients)],
        fail_silently=True,
    )


def on_commit_arrears_reminder(*, account_id: int, amount: Decimal, lock_at: datetime) -> None:
    transaction.on_commit(
        lambda: _send(
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
        lambda: _send(
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
        lambda: _send(
            account_id,
            lambda: _("debt paid"),
            lambda: _("Your account owes nothing any more; its workspaces are active."),
        )
    )


def on_commit_spend_alert(
    *, account_id: int, workspace: str, item: str, day: date, amount: Decimal, threshold: Decimal
) -> None:
    transaction.on_commit(
        lambda: _send(
            account_id,
            lambda: _("high spend on %(workspace)s") % {"workspace": workspace},
            lambda: (
                _(
                    "On %(day)s, %(item)s of workspace %(workspace)s cost %(amount)s, above "
                    "your alert threshold of %(threshold)s."
                )
                % {
                    "day": f"{day:%Y-%m-%d}",
                    "item": item,
                    "workspace": workspace,
                    "amount": format_cny(amount),
                    "threshold": format_cny(threshold),
                }
            ),
            roles=(Role.OWNER, Role.ADMIN),
        )
    )
