"""Statement move from orders to billing, every row kept (tables renamed)."""

import django.db.models.deletion
from django.db import migrations, models

from common.migration_moves import models_moved_in


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_schedules"),
        ("workspaces", "0002_account_arrears_reminded_at_account_locked_at"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = models_moved_in(
        old_app="orders",
        new_app="billing",
        state_operations=[
            migrations.CreateModel(
                name="Statement",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    ("month", models.DateField(help_text="First day of the month.")),
                    ("payg_charged", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("paid_by_vouchers", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("paid_by_cards", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("paid_by_cash", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("left_in_arrears", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("orders_total", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("orders_count", models.PositiveIntegerField()),
                    ("arrears_at_month_end", models.DecimalField(decimal_places=2, max_digits=14)),
                    ("created_at", models.DateTimeField()),
                    (
                        "account",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="statements",
                            to="workspaces.account",
                        ),
                    ),
                ],
                options={
                    "ordering": ["-month", "account_id"],
                    "constraints": [
                        models.UniqueConstraint(
                            fields=("account", "month"), name="one_statement_per_month"
                        )
                    ],
                },
            ),
        ],
    )
