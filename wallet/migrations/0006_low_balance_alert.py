"""The low-balance alert (an owner's threshold, told once per fall below it) and its beat
schedule: a pass every 15 minutes, apart from the nightly settlement."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from common.beat_schedules import periodic_task_add, periodic_tasks_remove

LOW_BALANCE = "Low-balance alerts (once per fall below the threshold)"


def schedule(apps, schema_editor):
    periodic_task_add(
        apps,
        name=LOW_BALANCE,
        task="wallet.low_balance_check",
        when={"minute": "*/15", "hour": "*"},
        expire_seconds=14 * 60,
        description="Owners and admins of an account whose cash (or cash and cards) fell "
        "below its alert threshold get one e-mail; it re-arms once the balance is back.",
    )


def unschedule(apps, schema_editor):
    periodic_tasks_remove(apps, LOW_BALANCE)


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("post_office", "0014_alter_email_recipient_delivery_status_and_more"),
        ("wallet", "0005_adjustments_and_refunds"),
        ("workspaces", "0005_team"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="LowBalanceAlert",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("threshold", models.DecimalField(decimal_places=2, max_digits=14)),
                (
                    "basis",
                    models.CharField(
                        choices=[
                            ("cash", "Cash balance"),
                            ("cash_and_cards", "Cash balance and prepaid cards"),
                        ],
                        default="cash",
                        max_length=16,
                    ),
                ),
                (
                    "below_since",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the e-mail for the current fall was queued.",
                        null=True,
                    ),
                ),
                ("updated_at", models.DateTimeField()),
                (
                    "account",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="low_balance_alert",
                        to="workspaces.account",
                    ),
                ),
                (
                    "notice",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="post_office.email",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("threshold__gt", 0)),
                        name="low_balance_threshold_positive",
                    )
                ],
            },
        ),
        migrations.RunPython(schedule, unschedule),
    ]
