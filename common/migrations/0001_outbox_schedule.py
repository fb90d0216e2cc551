"""The beat schedule of the e-mail outbox: a delivery pass every minute (retries and anything a
lost broker did not start after its commit)."""

from django.db import migrations

OUTBOX = "E-mail outbox (sends queued notices, retries failed ones)"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = CrontabSchedule.objects.get_or_create(
        minute="*",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=OUTBOX,
        defaults={
            "task": "outbox.deliver",
            "crontab": every_minute,
            "expire_seconds": 300,
            "description": "Sends the e-mails that are due; each failed attempt is retried "
            "later, then marked failed (admin: Post Office, Emails).",
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=OUTBOX).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
