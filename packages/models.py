"""The catalog: billing items and their prices, plan packages, traffic packs, discount tiers."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from packages.vocabulary import item_display_name, plan_display_name


class Aggregation(models.TextChoices):
    SUM = "sum", _("sum of the hours")
    MAX = "max", _("maximum of the hours")


class BillingItem(models.Model):
    """A metered item. `unit_price` is the price per unit at the default retention."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    unit_size = models.BigIntegerField(validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(max_digits=18, decimal_places=6)
    default_retention_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Empty for an item without retention tiers.",
    )
    aggregation = models.CharField(max_length=3, choices=Aggregation.choices)
    voucher_payable = models.BooleanField(default=True, help_text="May vouchers pay this item?")
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_size__gte=1), name="item_unit_size_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="item_unit_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def display_name(self) -> str:
        """The name in the reader's language (packages/vocabulary.py); `name` as stored."""
        return item_display_name(self.code, self.name)

    def clean(self) -> None:
        if self.pk is None or self.default_retention_days is None:
            return
        default_tier = self.retention_tiers.filter(days=self.default_retention_days).first()
        if default_tier is not None and default_tier.unit_price != self.unit_price:
            raise ValidationError(
                {"unit_price": "Must equal the price of the default retention tier."}
            )


class RetentionTier(models.Model):
    """A retention an item can be stored with, its price, and its quota conversion factor."""

    item = models.ForeignKey(BillingItem, on_delete=models.CASCADE, related_name="retention_tiers")
    days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(max_digits=18, decimal_places=6)
    conversion_factor = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="Under a plan package, one unit counts this many times against the quota.",
    )

    class Meta:
        ordering = ["item", "days"]
        constraints = [
            models.UniqueConstraint(fields=["item", "days"], name="one_tier_per_item_and_days"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="tier_price_not_negative"),
            models.CheckConstraint(
                condition=Q(conversion_factor__gte=1), name="tier_factor_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.days} d"


class Plan(models.Model):
    """A yearly plan package granting a daily quota per item."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=14, decimal_places=2)
    term_days = models.PositiveSmallIntegerField(default=365, validators=[MinValueValidator(1)])
    is_active = models.BooleanField(default=True, help_text="Offered for new purchases.")
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "price"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="plan_price_positive"),
            models.CheckConstraint(condition=Q(term_days__gte=1), name="plan_term_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return plan_display_name(self.code, self.name)


class PlanQuota(models.Model):
    """The daily quantity of one item a plan covers; items without a row have quota 0."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="quotas")
    item = models.ForeignKey(BillingItem, on_delete=models.PROTECT, related_name="plan_quotas")
    daily_quantity = models.BigIntegerField(validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["plan", "item__display_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "item"], name="one_quota_per_plan_and_item"),
            models.CheckConstraint(condition=Q(daily_quantity__gte=0), name="quota_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}: {self.daily_quantity} {self.item.code}/day"


class TrafficPackSpec(models.Model):
    """How traffic packages of one item are sold: base unit, minimum, price per base unit a day."""

    item = models.OneToOneField(BillingItem, on_delete=models.PROTECT, related_name="traffic_pack")
    base_unit = models.BigIntegerField(validators=[MinValueValidator(1)])
    min_capacity = models.BigIntegerField(validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        max_digits=18, decimal_places=6, help_text="Price per base unit per day."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["item__display_order"]
        verbose_name = "traffic pack specification"
        constraints = [
            models.CheckConstraint(condition=Q(base_unit__gte=1), name="pack_base_unit_positive"),
            models.CheckConstraint(
                condition=Q(min_capacity__gte=F("base_unit")), name="pack_minimum_at_least_a_unit"
            ),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="pack_price_positive"),
        ]

    def __str__(self) -> str:
        return f"Traffic pack: {self.item.code}"

    def clean(self) -> None:
        if self.base_unit and self.min_capacity and self.min_capacity % self.base_unit:
            raise ValidationError({"min_capacity": "Must be a whole multiple of the base unit."})


class TrafficDiscountTier(models.Model):
    """Capacity of at least `min_multiple` × the item's minimum is priced at `rate`."""

    min_multiple = models.PositiveIntegerField(unique=True, validators=[MinValueValidator(1)])
    rate = models.DecimalField(
        max_digits=18, decimal_places=6, help_text="0.800000 means 80 % of the list price."
    )

    class Meta:
        ordering = ["-min_multiple"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gt=Decimal("0")) & Q(rate__lte=Decimal("1")),
                name="discount_rate_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"≥ {self.min_multiple} × minimum → {self.rate:.0%}"


class VoucherGrantTier(models.Model):
    """Buying a prepaid card of at least `min_card_value` grants a full-reduction voucher."""

    min_card_value = models.DecimalField(max_digits=14, decimal_places=2, unique=True)
    voucher_amount = models.DecimalField(max_digits=14, decimal_places=2)
    voucher_valid_days = models.PositiveSmallIntegerField(default=365)

    class Meta:
        ordering = ["-min_card_value"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_card_value__gt=0), name="grant_card_value_positive"
            ),
            models.CheckConstraint(condition=Q(voucher_amount__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(
                condition=Q(voucher_amount__lt=F("min_card_value")), name="grant_below_card_value"
            ),
        ]

    def __str__(self) -> str:
        return f"card ≥ ¥{self.min_card_value:,.2f} → voucher ¥{self.voucher_amount:,.2f}"
