"""SpendAlert, SpendAlertNotice move from orders to quota, every row kept (tables renamed)."""

import django.db.models.deletion
from django.db import migrations, models

from common.migration_moves import models_moved_in


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_schedules"),
        ("packages", "0002_seed_catalog"),
        ("quota", "0006_watchdog_and_partition_schedules"),
        ("workspaces", "0002_account_arrears_reminded_at_account_locked_at"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = models_moved_in(
        old_app="orders",
        new_app="quota",
        state_operations=[
            migrations.CreateModel(
                name="SpendAlert",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    ("threshold", models.DecimalField(decimal_places=2, max_digits=14)),
                    (
                        "account",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="spend_alerts",
                            to="workspaces.account",
                        ),
                    ),
                    (
                        "item",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="+",
                            to="packages.billingitem",
                        ),
                    ),
                    (
                        "workspace",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="spend_alerts",
                            to="workspaces.workspace",
                        ),
                    ),
                ],
                options={
                    "constraints": [
                        models.UniqueConstraint(
                            fields=("workspace", "item"), name="one_alert_per_workspace_and_item"
                        ),
                        models.CheckConstraint(
                            condition=models.Q(("threshold__gte", 0)),
                            name="alert_threshold_not_negative",
                        ),
                    ],
                },
            ),
            migrations.CreateModel(
                name="SpendAlertNotice",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    ("day", models.DateField()),
                    ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("threshold", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("created_at", models.DateTimeField()),
                    (
                        "item",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="+",
                            to="packages.billingitem",
                        ),
                    ),
                    (
                        "workspace",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="+",
                            to="workspaces.workspace",
                        ),
                    ),
                ],
                options={
                    "constraints": [
                        models.UniqueConstraint(
                            fields=("workspace", "item", "day"),
                            name="one_notice_per_workspace_item_day",
                        )
                    ],
                },
            ),
        ],
    )
