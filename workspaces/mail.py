"""E-mails to the members of an account, in English and Simplified Chinese at once (the
customer's language is not known per recipient); both come from the translation catalogs.
They are outbox rows (common/outbox.py) written in the caller's transaction."""

from collections.abc import Callable
from datetime import datetime

from django.utils import translation
from post_office.models import Email

from common.dates import billing_zone
from common.outbox import Notice, notice_queue
from workspaces.models import Account, Membership, Role

Text = Callable[[], str]  # rendered once per language


def account_recipients(account_id: int, roles: tuple[str, ...]) -> list[str]:
    return list(
        Membership.objects.filter(account_id=account_id, role__in=roles)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
        .distinct()
    )


def mail_compose(name: str, subject: Text, body: Text) -> tuple[str, str]:
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


def account_notice(
    account_id: int, subject: Text, body: Text, roles: tuple[str, ...] = (Role.OWNER,)
) -> Notice:
    """The e-mail to the account's members of these roles (no recipients: nobody has an
    address); subject and body are callables, rendered once per language."""
    name = Account.objects.filter(pk=account_id).values_list("name", flat=True).first() or ""
    message_subject, message_body = mail_compose(name, subject, body)
    return Notice(account_recipients(account_id, roles), message_subject, message_body)


def account_mail(
    account_id: int, subject: Text, body: Text, roles: tuple[str, ...] = (Role.OWNER,)
) -> Email | None:
    """Queue the e-mail in the current transaction; None when nobody has an address."""
    return notice_queue(account_notice(account_id, subject, body, roles))
