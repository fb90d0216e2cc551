"""E-mails to the members of an account, in English and Simplified Chinese at once (the
customer's language is not known per recipient); both come from the translation catalogs.
Callers send them after their transaction commits."""

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import translation

from common.dates import billing_zone
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


def account_mail(
    account_id: int, subject: Text, body: Text, roles: tuple[str, ...] = (Role.OWNER,)
) -> None:
    """subject and body are callables, rendered once per language."""
    recipients = account_recipients(account_id, roles)
    if not recipients:
        return
    name = Account.objects.filter(pk=account_id).values_list("name", flat=True).first() or ""
    message_subject, message_body = mail_compose(name, subject, body)
    send_mass_mail(
        [(message_subject, message_body, settings.DEFAULT_FROM_EMAIL, recipients)],
        fail_silently=True,
    )
