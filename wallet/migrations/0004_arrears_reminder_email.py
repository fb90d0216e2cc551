"""The lock reminder is an outbox e-mail the wallet points at: "reminded" means sent, and the lock
waits for its delivery attempt. The arrears pass runs every hour (at :05) instead of once a day,
so a lock follows its reminder's delivery (or its due time) within the hour."""

import django.db.models.deletion
from django.db import migrations, models

from common.beat_schedules import crontab_of

ARREARS = "Arrears: reminders and locks"


def every_hour(apps, schema_editor):
    _reschedule(apps, minute="5", hour="*")


def once_a_day(apps, schema_editor):
    _reschedule(apps, minute="0", hour="1")


def _reschedule(apps, *, minute: str, hour: str) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab = crontab_of(apps, minute=minute, hour=hour)
    PeriodicTask.objects.filter(name=ARREARS).update(crontab=crontab, expire_seconds=3000)


class Migration(migrations.Migration):
    dependencies = [
        ("post_office", "0014_alter_email_recipient_delivery_status_and_more"),
        ("wallet", "0003_remittances"),
        ("orders", "0003_schedules"),
    ]

    operations = [
        migrations.AddField(
            model_name="wallet",
            name="arrears_reminder",
            field=models.ForeignKey(
                blank=True,
                help_text="The e-mail 3 days before the lock (SPEC 5.4); the lock waits for its "
                "delivery.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="post_office.email",
            ),
        ),
        migrations.AlterField(
            model_name="wallet",
            name="arrears_reminded_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the lock reminder was sent (not merely queued).",
                null=True,
            ),
        ),
        migrations.RunPython(every_hour, once_a_day),
    ]
