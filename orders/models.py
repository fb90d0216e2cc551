"""Orders: what a customer bought, the quote it was priced by and how it was paid."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.line_texts import line_text_render
from quota.models import Subscription
from workspaces.models import Account


class OrderKind(models.TextChoices):
    NEW_PACKAGE = "new_package", _("New package")
    TRAFFIC_PACKS = "traffic_packs", _("Traffic packages")
    UPGRADE = "upgrade", _("Upgrade")
    RENEWAL = "renewal", _("Renewal")
    PREPAID_CARD = "prepaid_card", _("Prepaid card")
    # A package an operator gives (¥0.00 or a price), with a reason: see orders/services/grants.py
    GRANT = "grant", _("Grant by an operator")


class OrderStatus(models.TextChoices):
    # An order is written only once it is paid (one durable transaction); refunds and
    # cancellations will add their own statuses.
    PAID = "paid", _("Paid")


class Order(models.Model):
    """A paid purchase. Written only once everything it buys and pays is in place."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=16, choices=OrderKind.choices)
    status = models.CharField(max_length=10, choices=OrderStatus.choices, default=OrderStatus.PAID)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    request = models.JSONField(help_text="What was asked for (without the payment).")
    payment = models.JSONField(help_text="The split: cash, cards, vouchers.")
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="one_order_per_idempotency_key"
            ),
        ]

    def __str__(self) -> str:
        return f"Order #{self.pk} {self.kind} ¥{self.total}"


class OrderLine(models.Model):
    """One line of the quote an order was charged by; the order's total is the sum of them."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=300)
    quantity = models.BigIntegerField()
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    item_code = models.CharField(
        max_length=32, blank=True, help_text="The item of a traffic pack's line."
    )
    capacity = models.BigIntegerField(
        null=True, blank=True, help_text="A traffic pack's daily capacity."
    )
    text = models.JSONField(
        default=dict,
        blank=True,
        help_text="The description as data (orders/line_texts.py), shown in the reader's language.",
    )

    class Meta:
        ordering = ["order_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="one_line_per_position"),
        ]

    def __str__(self) -> str:
        return f"{self.description}: ¥{self.amount}"

    @property
    def display_description(self) -> str:
        """The description in the reader's language; `description` as written when placed."""
        return line_text_render(self.text) or self.description
