"""Reminders that a package ends: one row (and one e-mail) per subscription and threshold."""

from django.db import models

from quota.models.subscriptions import Subscription


class ExpiryReminder(models.Model):
    """The e-mail `days_before` days before a subscription's end date; the unique pair makes it
    one e-mail per subscription and threshold, whatever runs the daily pass twice."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="expiry_reminders"
    )
    days_before = models.PositiveSmallIntegerField(help_text="The threshold: 30, 7 or 1.")
    days_left = models.PositiveSmallIntegerField(
        help_text="Days to the end date when it was sent (less than the threshold if the daily "
        "pass missed its day)."
    )
    email = models.ForeignKey(
        "post_office.Email", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "days_before"],
                name="one_reminder_per_subscription_and_days",
            ),
        ]

    def __str__(self) -> str:
        return f"Subscription #{self.subscription_id}: {self.days_before} days before its end"
