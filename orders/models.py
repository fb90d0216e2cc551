"""Wallet instruments of an account and the orders that spend them."""

from django.db import models
from django.db.models import Q

from workspaces.models import Account


class Wallet(models.Model):
    """An account's cash balance and money owed. Changed only by orders services, via the ledger."""

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="wallet")
    cash_balance = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    arrears = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(cash_balance__gte=0), name="cash_never_negative"),
            models.CheckConstraint(condition=Q(arrears__gte=0), name="arrears_never_negative"),
        ]

    def __str__(self) -> str:
        return f"Wallet of {self.account}"
