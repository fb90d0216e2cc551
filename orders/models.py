"""Wallet instruments of an account, the append-only ledger, orders, settlements, statements."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from packages.models import BillingItem
from quota.models import DailyBill, Subscription
from workspaces.models import Account, Workspace


class Wallet(models.Model):
    """An account's cash balance and money owed; the row every money movement locks first."""

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


class PrepaidCard(models.Model):
    """A card bound to the account: bought with cash or allocated by a partner; not refundable."""

    class Source(models.TextChoices):
        PURCHASE = "purchase", "Bought by the customer"
        PARTNER = "partner", "Allocated by a partner"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="prepaid_cards")
    number = models.CharField(max_length=24, unique=True)
    face_value = models.DecimalField(max_digits=14, decimal_places=2)
    balance = models.DecimalField(max_digits=14, decimal_places=2)
    source = models.CharField(max_length=10, choices=Source.choices)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    order = models.ForeignKey(
        "Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
        ORDINARY = "ordinary", "Ordinary"
        FULL_REDUCTION = "full_reduction", "Full reduction"

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
        "Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
    CASH = "cash", "Cash balance"
    VOUCHER = "voucher", "Voucher"
    PREPAID_CARD = "prepaid_card", "Prepaid card"
    ARREARS = "arrears", "Arrears"


class EntryKind(models.TextChoices):
    CASH_CREDIT = "cash_credit", "Cash credited (bank remittance)"
    ISSUE = "issue", "Instrument issued"
    GRANT = "grant", "Voucher granted with a card"
    REDEEM = "redeem", "Voucher code redeemed"
    ORDER_PAYMENT = "order_payment", "Order payment"
    BILL_PAYMENT = "bill_payment", "Daily bill payment"
    ARREARS_INCURRED = "arrears_incurred", "Unpaid bill added to arrears"
    ARREARS_PAID = "arrears_paid", "Arrears paid"


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
        "Order", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    daily_bill = models.ForeignKey(
        DailyBill, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["account", "created_at"])]
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


class OrderKind(models.TextChoices):
    NEW_PACKAGE = "new_package", "New package"
    TRAFFIC_PACKS = "traffic_packs", "Traffic packages"
    UPGRADE = "upgrade", "Upgrade"
    RENEWAL = "renewal", "Renewal"
    PREPAID_CARD = "prepaid_card", "Prepaid card"


class Order(models.Model):
    """A paid purchase. Written only once everything it buys and pays is in place."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(max_length=16, choices=OrderKind.choices)
    status = models.CharField(max_length=10, default="paid")
    total = models.DecimalField(max_digits=14, decimal_places=2)
    lines = models.JSONField(help_text="The quote: description, quantity, unit price, amount.")
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
        indexes = [models.Index(fields=["account", "day"])]

    def __str__(self) -> str:
        return f"Settlement of bill #{self.bill_id}"

    @property
    def vouchers(self):
        return self.ordinary_vouchers + self.full_reduction_vouchers


class SpendAlert(models.Model):
    """Notify owners and admins when a day's line of this workspace and item exceeds a threshold."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="spend_alerts")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="spend_alerts")
    item = models.ForeignKey(BillingItem, on_delete=models.PROTECT, related_name="+")
    threshold = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "item"], name="one_alert_per_workspace_and_item"
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=0), name="alert_threshold_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workspace} {self.item.code} > ¥{self.threshold}"


class SpendAlertNotice(models.Model):
    """One e-mail per workspace, item and day, never more."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(BillingItem, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    threshold = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "item", "day"], name="one_notice_per_workspace_item_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.workspace_id} {self.item_id}: {self.amount}"


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
    arrears_at_month_end = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "account_id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="one_statement_per_month")
        ]

    def __str__(self) -> str:
        return f"Statement {self.month:%Y-%m} of {self.account}"
