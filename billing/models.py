"""Monthly statements (SPEC 5.3): what an account was charged, how it paid, what it owes."""

from django.db import models

from workspaces.models import Account


class Statement(models.Model):
    """The monthly statement of an account (SPEC 5.3), produced on the 3rd for the month before."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="statements")
    month = models.DateField(help_text="First day of the month.")
    payg_charged = models.DecimalField(max_digits=14, decimal_places=2)
    paid_by_vouchers = models.DecimalField(max_digits=14, decimal_places=2)
    paid_by_cards = models.DecimalField(max_digits=14, decimal_places=2)
    paid_by_cash = models.DecimalField(max_digits=14, decimal_places=2)
    left_in_arrears = models.DecimalField(max_digits=14, decimal_places=2)
    orders_total = models.DecimalField(max_digits=14, decimal_places=2)
    orders_count = models.PositiveIntegerField()
    # How the month's orders were paid (a prepaid card is bought with cash).
    orders_paid_by_cash = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    orders_paid_by_cards = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    orders_paid_by_vouchers = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    arrears_at_month_end = models.DecimalField(max_digits=14, decimal_places=2)
    # Adjustments settled in the month (SPEC 6.1, 6.2), whatever day their bills are of.
    adjustments_debited = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    adjustments_credited = models.DecimalField(
        max_digits=14, decimal_places=2, default=0, help_text="Given back, as a positive amount."
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="one_statement_per_month")
        ]

    def __str__(self) -> str:
        return f"Statement {self.month:%Y-%m} of {self.account}"
