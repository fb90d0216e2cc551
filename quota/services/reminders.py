"""Reminders that a plan package ends (30, 7 and 1 day before its end date) to the account's
owners: one e-mail per subscription and threshold, never two (a unique row), through the outbox.
A renewal bought for the subscription stops the reminders that are still to come."""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.dates import ONE_DAY
from quota.models import ExpiryReminder, Subscription
from quota.selectors import bindings_on, plans_on
from workspaces.mail import account_mail
from workspaces.models import Workspace

EXPIRY_REMINDER_DAYS = (30, 7, 1)


def expiry_threshold_due(*, days_left: int) -> int | None:
    """The threshold whose window `days_left` falls in: 30 from 30 to 8 days left, 7 from 7 to
    2, 1 on the last two days (a pass that missed the exact day still sends it, once)."""
    passed = [days for days in EXPIRY_REMINDER_DAYS if days >= days_left >= 0]
    return min(passed) if passed else None


def subscription_expiry_remind(*, today: date, now: datetime) -> list[ExpiryReminder]:
    """The daily pass: every subscription that ends within the largest threshold, has no
    renewal and has not had this threshold's reminder gets it; each in its own transaction."""
    last_day = today + timedelta(days=max(EXPIRY_REMINDER_DAYS))
    ending = list(
        Subscription.objects.filter(
            end_date__gte=today, end_date__lte=last_day, renewal__isnull=True
        ).order_by("end_date", "pk")
    )
    sent_before = set(
        ExpiryReminder.objects.filter(subscription__in=ending).values_list(
            "subscription_id", "days_before"
        )
    )
    reminders = []
    for subscription in ending:
        days_left = (subscription.end_date - today).days
        threshold = expiry_threshold_due(days_left=days_left)
        if threshold is None or (subscription.pk, threshold) in sent_before:
            continue
        reminder = _remind(subscription, threshold=threshold, days_left=days_left, now=now)
        if reminder is not None:
            reminders.append(reminder)
    return reminders


def _remind(
    subscription: Subscription, *, threshold: int, days_left: int, now: datetime
) -> ExpiryReminder | None:
    try:
        with transaction.atomic():
            reminder = ExpiryReminder.objects.create(
                subscription=subscription,
                days_before=threshold,
                days_left=days_left,
                created_at=now,
            )
            reminder.email = expiry_reminder_mail(subscription=subscription, days_left=days_left)
            reminder.save(update_fields=["email"])
    except IntegrityError:
        return None  # another pass sent it a moment ago (its row and e-mail stand)
    return reminder


def expiry_reminder_mail(*, subscription: Subscription, days_left: int):
    end = subscription.end_date
    plan = plans_on(subscription_ids=[subscription.pk], day=end).get(subscription.pk)
    workspace_ids = bindings_on(subscription_ids=[subscription.pk], day=end).get(
        subscription.pk, []
    )
    names = dict(Workspace.objects.filter(pk__in=workspace_ids).values_list("pk", "name"))
    workspaces = ", ".join(names[pk] for pk in workspace_ids if pk in names) or "—"
    values = {
        "plan": plan.name if plan else "",
        "id": subscription.pk,
        "day": f"{end:%Y-%m-%d}",
        "next": f"{end + ONE_DAY:%Y-%m-%d}",
        "workspaces": workspaces,
        "days": days_left,
    }
    return account_mail(
        subscription.account_id,
        lambda: (
            ngettext(
                "your package ends in %(days)s day",
                "your package ends in %(days)s days",
                days_left,
            )
            % values
        ),
        lambda: (
            _(
                "Your %(plan)s package #%(id)s ends on %(day)s. From %(next)s its workspaces "
                "(%(workspaces)s) are billed pay-as-you-go. Renew the package on its page in the "
                "Billing Center to keep their daily quota."
            )
            % values
        ),
    )
