"""The money an account holds and owes: cash, prepaid cards, vouchers, arrears and its
countdown, the append-only ledger, and how each daily bill was paid."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.dates import billing_zone
from quota.models import BillAdjustment, DailyBill
from workspaces.models import Account


class Wallet(models.Model):
    """An account's cash balance and money owed; the row every money movement locks first."""

    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="wallet")
    cash_balance = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    arrears = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    arrears_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the account first owed money; empty when it owes nothing.",
    )
    arrears_reminder = models.ForeignKey(
        "post_office.Email",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The e-mail 3 days before the lock (SPEC 5.4); the lock waits for its delivery.",
    )
    arrears_reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the lock reminder was sent (not merely queued)."
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(cash_balance__gte=0), name="cash_never_negative"),
            models.CheckConstraint(condition=Q(arrears__gte=0), name="arrears_never_negative"),
        ]

    def __str__(self) -> str:
        return f"Wallet of {self.account}"


class PrepaidCard(models.Model):
    """A card bound to the account: bought with cash or allocated by a partner; not refundable."""

    class Source(models.TextChoices):
        PURCHASE = "purchase", _("Bought by the customer")
        PARTNER = "partner", _("Allocated by a partner")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="prepaid_cards")
    number = models.CharField(max_length=24, unique=True)
    face_value = models.DecimalField(max_digits=14, decimal_places=2)
    balance = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=10, choices=Source.choices)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["expires_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="card_balance_never_negative"),
            models.CheckConstraint(
                condition=Q(balance__lte=models.F("face_value")), name="card_balance_within_face"
            ),
        ]

    def __str__(self) -> str:
        return f"Card {self.number}"


class Voucher(models.Model):
    """Ordinary (issued or redeemed from a code) or full-reduction (granted with a card)."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary")
        FULL_REDUCTION = "full_reduction", _("Full reduction")

    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vouchers",
        help_text="Empty for an activation code not redeemed yet.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    face_value = models.DecimalField(max_digits=14, decimal_places=2)
    balance = models.DecimalField(max_digits=14, decimal_places=2)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    code = models.CharField(max_length=32, unique=True, null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["expires_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="voucher_balance_never_negative"
            ),
            models.CheckConstraint(
                condition=Q(balance__lte=models.F("face_value")), name="voucher_balance_within_face"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} voucher #{self.pk}"


class Instrument(models.TextChoices):
    CASH = "cash", _("Cash balance")
    VOUCHER = "voucher", _("Voucher")
    PREPAID_CARD = "prepaid_card", _("Prepaid card")
    ARREARS = "arrears", _("Arrears")


class EntryKind(models.TextChoices):
    CASH_CREDIT = "cash_credit", _("Cash credited (bank remittance)")
    ISSUE = "issue", _("Instrument issued")
    GRANT = "grant", _("Voucher granted with a card")
    REDEEM = "redeem", _("Voucher code redeemed")
    ORDER_PAYMENT = "order_payment", _("Order payment")
    BILL_PAYMENT = "bill_payment", _("Daily bill payment")
    ARREARS_INCURRED = "arrears_incurred", _("Unpaid bill added to arrears")
    ARREARS_PAID = "arrears_paid", _("Arrears paid")
    ADJUSTMENT_DEBIT = "adjustment_debit", _("Bill adjustment (debit) paid")
    ADJUSTMENT_CREDIT = "adjustment_credit", _("Bill adjustment (credit) given back")
    REFUND = "refund", _("Cash refunded to the bank")


class LedgerEntry(models.Model):
    """One change of one balance. Append-only: never updated or deleted.

    For arrears the balance is the debt: +amount is money owed, −amount a debt paid.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="ledger_entries")
    instrument = models.CharField(max_length=14, choices=Instrument.choices)
    voucher = models.ForeignKey(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    prepaid_card = models.ForeignKey(
        PrepaidCard, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    balance_after = models.DecimalField(max_digits=14, decimal_places=2)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    daily_bill = models.ForeignKey(
        DailyBill, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    adjustment = models.ForeignKey(
        BillAdjustment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["account", "created_at"], name="orders_ledg_account_1ec426_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(instrument="voucher", voucher__isnull=False, prepaid_card__isnull=True)
                    | Q(instrument="prepaid_card", prepaid_card__isnull=False, voucher__isnull=True)
                    | Q(
                        instrument__in=["cash", "arrears"],
                        voucher__isnull=True,
                        prepaid_card__isnull=True,
                    )
                ),
                name="entry_names_its_instrument",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="entry_moves_money"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.amount:+} → {self.balance_after}"


class Remittance(models.Model):
    """A bank remittance credited to cash: one per account and reference, so a form posted twice
    or a command run again credits it once. `reference` is the normalised key (surrounding
    space stripped, inner runs of space made one, upper case); the ledger entry keeps the
    reference as it was typed. Filled, for the credits before it existed, from the first
    cash_credit entry of each reference (wallet 0003); later duplicates stay in the ledger."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="remittances")
    reference = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    credited_at = models.DateTimeField()
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="remittance")

    class Meta:
        ordering = ["-credited_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "reference"], name="remittance_once_per_account"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="remittance_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Remittance {self.reference}"

    @property
    def credited_on(self) -> str:
        """When it was credited, in the billing time zone: "2026-06-01 10:00"."""
        return timezone.localtime(self.credited_at, billing_zone()).strftime("%Y-%m-%d %H:%M")


class Refund(models.Model):
    """Unspent cash paid back to the customer's bank (SPEC 6.3): one per account and reference
    (normalised like a remittance's), never more than the cash balance."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="refunds")
    reference = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    refunded_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="refund")

    class Meta:
        ordering = ["-refunded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "reference"], name="refund_once_per_account"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Refund {self.reference}"


class BillSettlement(models.Model):
    """How a daily bill was paid, written in the same transaction as the bill."""

    bill = models.OneToOneField(DailyBill, on_delete=models.PROTECT, related_name="settlement")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    ordinary_vouchers = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    full_reduction_vouchers = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    prepaid_cards = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    cash = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    arrears = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    settled_at = models.DateTimeField()

    class Meta:
        ordering = ["-day", "bill_id"]
        # Named as when the table was orders': the rows moved app, the index did not change.
        indexes = [models.Index(fields=["account", "day"], name="orders_bill_account_742dbd_idx")]

    def __str__(self) -> str:
        return f"Settlement of bill #{self.bill_id}"

    @property
    def vouchers(self):
        return self.ordinary_vouchers + self.full_reduction_vouchers


class BalanceBasis(models.TextChoices):
    CASH = "cash", _("Cash balance")
    CASH_AND_CARDS = "cash_and_cards", _("Cash balance and prepaid cards")


class LowBalanceAlert(models.Model):
    """An owner's threshold: when what the account holds falls below it, owners and admins get
    one e-mail; `below_since` says it went, and clears once the balance is back at or above the
    threshold, so the next fall is told again."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="low_balance_alert"
    )
    threshold = models.DecimalField(max_digits=14, decimal_places=2)
    basis = models.CharField(max_length=16, choices=BalanceBasis.choices, default=BalanceBasis.CASH)
    below_since = models.DateTimeField(
        null=True, blank=True, help_text="When the e-mail for the current fall was queued."
    )
    notice = models.ForeignKey(
        "post_office.Email", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gt=0), name="low_balance_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.basis} below ¥{self.threshold}"
