"""PrepaidCard, Voucher, LedgerEntry, Wallet, BillSettlement move from orders to wallet, every row kept (tables renamed)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from common.migration_moves import models_moved_in


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_schedules"),
        ("quota", "0006_watchdog_and_partition_schedules"),
        ("workspaces", "0002_account_arrears_reminded_at_account_locked_at"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = models_moved_in(
        old_app="orders",
        new_app="wallet",
        state_operations=[
            migrations.CreateModel(
                name="PrepaidCard",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    ("number", models.CharField(max_length=24, unique=True)),
                    ("face_value", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("balance", models.DecimalField(decimal_places=2, max_digits=14)),
                    (
                        "source",
                        models.CharField(
                            choices=[
                                ("purchase", "Bought by the customer"),
                                ("partner", "Allocated by a partner"),
                            ],
                            max_length=10,
                        ),
                    ),
                    ("issued_at", models.DateTimeField()),
                    ("expires_at", models.DateTimeField()),
                    (
                        "account",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="prepaid_cards",
                            to="workspaces.account",
                        ),
                    ),
                    (
                        "order",
                        models.ForeignKey(
                            blank=True,
                            null=True,
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="+",
                            to="orders.order",
                        ),
                    ),
                ],
                options={
                    "ordering": ["expires_at", "pk"],
                },
            ),
            migrations.CreateModel(
                name="Voucher",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    (
                        "kind",
                        models.CharField(
                            choices=[
                                ("ordinary", "Ordinary"),
                                ("full_reduction", "Full reduction"),
                            ],
                            max_length=16,
                        ),
                    ),
                    ("face_value", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("balance", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("issued_at", models.DateTimeField()),
                    ("expires_at", models.DateTimeField()),
                    ("code", models.CharField(blank=True, max_length=32, null=True, unique=True)),
                    ("redeemed_at", models.DateTimeField(blank=True, null=True)),
                    (
                        "account",
                        models.ForeignKey(
                            blank=True,
                            help_text="Empty for an activation code not redeemed yet.",
                            null=True,
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="vouchers",
                            to="workspaces.account",
                        ),
                    ),
                    (
                        "granted_by",
                        models.ForeignKey(
                            blank=True,
                            null=True,
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="+",
                            to="orders.order",
                        ),
                    ),
                ],
                options={
                    "ordering": ["expires_at", "pk"],
                },
            ),
            migrations.CreateModel(
                name="LedgerEntry",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    (
                        "instrument",
                        models.CharField(
                            choices=[
                                ("cash", "Cash balance"),
                                ("voucher", "Voucher"),
                                ("prepaid_card", "Prepaid card"),
                                ("arrears", "Arrears"),
                            ],
                            max_length=14,
                        ),
                    ),
                    ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("balance_after", models.DecimalField(decimal_places=2, max_digits=14)),
                    (
                        "kind",
                        models.CharField(
                            choices=[
                                ("cash_credit", "Cash credited (bank remittance)"),
                                ("issue", "Instrument issued"),
                                ("grant", "Voucher granted with a card"),
                                ("redeem", "Voucher code redeemed"),
                                ("order_payment", "Order payment"),
                                ("bill_payment", "Daily bill payment"),
                                ("arrears_incurred", "Unpaid bill added to arrears"),
                                ("arrears_paid", "Arrears paid"),
                            ],
                            max_length=20,
                        ),
                    ),
                    ("reference", models.CharField(blank=True, max_length=200)),
                    ("created_at", models.DateTimeField()),
                    (
                        "account",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="ledger_entries",
                            to="workspaces.account",
                        ),
                    ),
                    (
                        "actor",
                        models.ForeignKey(
                            blank=True,
                            null=True,
                            on_delete=django.db.models.deletion.SET_NULL,
                            related_name="+",
                            to=settings.AUTH_USER_MODEL,
                        ),
                    ),
                    (
                        "daily_bill",
                        models.ForeignKey(
                            blank=True,
                            null=True,
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="ledger_entries",
                            to="quota.dailybill",
                        ),
                    ),
                    (
                        "order",
                        models.ForeignKey(
                            blank=True,
                            null=True,
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="entries",
                            to="orders.order",
                        ),
                    ),
                    (
                        "prepaid_card",
                        models.ForeignKey(
                            blank=True,
                            null=True,
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="entries",
                            to="wallet.prepaidcard",
                        ),
                    ),
                    (
                        "voucher",
                        models.ForeignKey(
                            blank=True,
                            null=True,
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="entries",
                            to="wallet.voucher",
                        ),
                    ),
                ],
                options={
                    "verbose_name_plural": "ledger entries",
                    "ordering": ["created_at", "pk"],
                },
            ),
            migrations.CreateModel(
                name="Wallet",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    (
                        "cash_balance",
                        models.DecimalField(decimal_places=2, default=0, max_digits=14),
                    ),
                    ("arrears", models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                    ("updated_at", models.DateTimeField(auto_now=True)),
                    (
                        "account",
                        models.OneToOneField(
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="wallet",
                            to="workspaces.account",
                        ),
                    ),
                ],
            ),
            migrations.CreateModel(
                name="BillSettlement",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    ("day", models.DateField()),
                    (
                        "ordinary_vouchers",
                        models.DecimalField(decimal_places=2, default=0, max_digits=14),
                    ),
                    (
                        "full_reduction_vouchers",
                        models.DecimalField(decimal_places=2, default=0, max_digits=14),
                    ),
                    (
                        "prepaid_cards",
                        models.DecimalField(decimal_places=2, default=0, max_digits=14),
                    ),
                    ("cash", models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                    ("arrears", models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                    ("settled_at", models.DateTimeField()),
                    (
                        "account",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="+",
                            to="workspaces.account",
                        ),
                    ),
                    (
                        "bill",
                        models.OneToOneField(
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="settlement",
                            to="quota.dailybill",
                        ),
                    ),
                ],
                options={
                    "ordering": ["-day", "bill_id"],
                    "indexes": [
                        models.Index(
                            fields=["account", "day"], name="orders_bill_account_742dbd_idx"
                        )
                    ],
                },
            ),
            migrations.AddConstraint(
                model_name="prepaidcard",
                constraint=models.CheckConstraint(
                    condition=models.Q(("balance__gte", 0)), name="card_balance_never_negative"
                ),
            ),
            migrations.AddConstraint(
                model_name="prepaidcard",
                constraint=models.CheckConstraint(
                    condition=models.Q(("balance__lte", models.F("face_value"))),
                    name="card_balance_within_face",
                ),
            ),
            migrations.AddConstraint(
                model_name="voucher",
                constraint=models.CheckConstraint(
                    condition=models.Q(("balance__gte", 0)), name="voucher_balance_never_negative"
                ),
            ),
            migrations.AddConstraint(
                model_name="voucher",
                constraint=models.CheckConstraint(
                    condition=models.Q(("balance__lte", models.F("face_value"))),
                    name="voucher_balance_within_face",
                ),
            ),
            migrations.AddIndex(
                model_name="ledgerentry",
                index=models.Index(
                    fields=["account", "created_at"], name="orders_ledg_account_1ec426_idx"
                ),
            ),
            migrations.AddConstraint(
                model_name="ledgerentry",
                constraint=models.CheckConstraint(
                    condition=models.Q(
                        models.Q(
                            ("instrument", "voucher"),
                            ("prepaid_card__isnull", True),
                            ("voucher__isnull", False),
                        ),
                        models.Q(
                            ("instrument", "prepaid_card"),
                            ("prepaid_card__isnull", False),
                            ("voucher__isnull", True),
                        ),
                        models.Q(
                            ("instrument__in", ["cash", "arrears"]),
                            ("prepaid_card__isnull", True),
                            ("voucher__isnull", True),
                        ),
                        _connector="OR",
                    ),
                    name="entry_names_its_instrument",
                ),
            ),
            migrations.AddConstraint(
                model_name="ledgerentry",
                constraint=models.CheckConstraint(
                    condition=models.Q(("amount", 0), _negated=True), name="entry_moves_money"
                ),
            ),
            migrations.AddConstraint(
                model_name="wallet",
                constraint=models.CheckConstraint(
                    condition=models.Q(("cash_balance__gte", 0)), name="cash_never_negative"
                ),
            ),
            migrations.AddConstraint(
                model_name="wallet",
                constraint=models.CheckConstraint(
                    condition=models.Q(("arrears__gte", 0)), name="arrears_never_negative"
                ),
            ),
        ],
    )
