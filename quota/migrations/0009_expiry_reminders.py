"""Reminders that a package ends (30, 7 and 1 day before): one row per subscription and
threshold, and their daily beat schedule (09:00 Asia/Shanghai, when people read their mail)."""

import django.db.models.deletion
from django.db import migrations, models

from common.beat_schedules import periodic_task_add, periodic_tasks_remove

EXPIRY = "Package expiry reminders (30, 7 and 1 day before the end)"


def schedule(apps, schema_editor):
    periodic_task_add(
        apps,
        name=EXPIRY,
        task="quota.subscription_expiry_remind",
        when={"minute": "0", "hour": "9"},
        expire_seconds=20 * 3600,
        description="The owners of a package that ends in 30, 7 or 1 day(s) get one "
        "e-mail per threshold; a renewal stops the reminders still to come.",
    )


def unschedule(apps, schema_editor):
    periodic_tasks_remove(apps, EXPIRY)


class Migration(migrations.Migration):
    dependencies = [
        ("post_office", "0014_alter_email_recipient_delivery_status_and_more"),
        ("quota", "0008_adjustments_and_late_usage"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.CreateModel(
            name="ExpiryReminder",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "days_before",
                    models.PositiveSmallIntegerField(help_text="The threshold: 30, 7 or 1."),
                ),
                (
                    "days_left",
                    models.PositiveSmallIntegerField(
                        help_text="Days to the end date when it was sent (less than the threshold if the daily pass missed its day)."
                    ),
                ),
                ("created_at", models.DateTimeField()),
                (
                    "email",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="post_office.email",
                    ),
                ),
                (
                    "subscription",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="expiry_reminders",
                        to="quota.subscription",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("subscription", "days_before"),
                        name="one_reminder_per_subscription_and_days",
                    )
                ],
            },
        ),
        migrations.RunPython(schedule, unschedule),
    ]
