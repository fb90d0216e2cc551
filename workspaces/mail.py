"""E-mails to the members of an account, in English and Simplified Chinese at once (the
customer's language is not known per recipient); both come from the translation catalogs.
They are outbox rows (common/outbox.py) written in the caller's transaction."""

from collections.abc import Callable
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _
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


def user_mail(*, email: str, account_id: int, subject: Text, body: Text) -> Email | None:
    """Queue an e-mail to one person about an account (a team change that concerns them); None
    when they have no address."""
    if not email:
        return None
    name = Account.objects.filter(pk=account_id).values_list("name", flat=True).first() or ""
    return notice_queue(Notice([email], *mail_compose(name, subject, body)))


def _role_name(role: str) -> str:
    return str(Role(role).label)


def member_added_mail(
    *, email: str, account_id: int, username: str, role: str, by: str, new_user: bool
) -> Email | None:
    """To the person added: their role, who added them, and how to sign in."""

    def body() -> str:
        text = _("%(by)s added you to this billing account as %(role)s. Your username: %(user)s.")
        text %= {"by": by, "role": _role_name(role), "user": username}
        if new_user:
            text += " " + _(
                "%(by)s gives you your temporary password; at your first sign-in you choose "
                "your own."
            ) % {"by": by}
        return text

    return user_mail(
        email=email,
        account_id=account_id,
        subject=lambda: _("you were added to the team"),
        body=body,
    )


def member_role_mail(
    *, email: str, account_id: int, role_before: str, role: str, by: str
) -> Email | None:
    return user_mail(
        email=email,
        account_id=account_id,
        subject=lambda: _("your role changed"),
        body=lambda: (
            _("%(by)s changed your role from %(before)s to %(after)s.")
            % {"by": by, "before": _role_name(role_before), "after": _role_name(role)}
        ),
    )


def member_removed_mail(*, email: str, account_id: int, by: str) -> Email | None:
    return user_mail(
        email=email,
        account_id=account_id,
        subject=lambda: _("you were removed from the team"),
        body=lambda: (
            _(
                "%(by)s removed you from this billing account; you no longer see its workspaces "
                "or its billing."
            )
            % {"by": by}
        ),
    )
