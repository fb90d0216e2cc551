"""Subscriptions with their plan history, traffic packs and versioned workspace bindings."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from packages.models import BillingItem, Plan
from workspaces.models import Account, Workspace


class Subscription(models.Model):
    """A plan package bought by an account, from start_date to end_date (both inclusive)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="subscriptions")
    start_date = models.DateField()
    end_date = models.DateField()
    renewal_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["account", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="subscription_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"Subscription #{self.pk} ({self.start_date} → {self.end_date})"


class SubscriptionPlanPeriod(models.Model):
    """The plan of a subscription from `effective_from` on (until the next period starts)."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="plan_periods"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["subscription", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "effective_from"], name="one_plan_per_subscription_and_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} from {self.effective_from}"


class TrafficPack(models.Model):
    """Extra daily capacity of one item, from start_date to the subscription's end."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="traffic_packs"
    )
    item = models.ForeignKey(BillingItem, on_delete=models.PROTECT, related_name="+")
    capacity = models.BigIntegerField(validators=[MinValueValidator(1)])
    daily_price = models.DecimalField(max_digits=14, decimal_places=2)
    start_date = models.DateField()
    end_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["subscription", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="pack_capacity_positive"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="pack_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.capacity:,} {self.item.code}/day ({self.start_date} → {self.end_date})"


class Binding(models.Model):
    """Workspace `workspace` shares `subscription` at `priority` on days [valid_from, valid_to).

    Rows are never deleted: a reorder closes the rows in force and opens new ones from the next
    billing day, so any past day is billed with the binding of that day. A workspace's intervals
    never overlap (exclusion constraint), so it is bound to at most one subscription a day.
    """

    subscription = models.ForeignKey(
        Subscription, on_delete=models.PROTECT, related_name="bindings"
    )
    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="bindings")
    priority = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField(help_text="Exclusive: the first day the binding no longer applies.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["subscription", "valid_from", "priority"]
        indexes = [
            models.Index(fields=["subscription", "valid_from", "valid_to"]),
            models.Index(fields=["workspace", "valid_from", "valid_to"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="binding_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        span = f"[{self.valid_from}, {self.valid_to})"
        return f"{self.workspace} #{self.priority} in {self.subscription} {span}"
