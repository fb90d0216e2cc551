"""The beat schedule of the e-mail outbox: a delivery pass every minute (retries and anything a
lost broker did not start after its commit)."""

from django.db import migrations

from common.beat_schedules import periodic_task_add, periodic_tasks_remove

OUTBOX = "E-mail outbox (sends queued notices, retries failed ones)"


def schedule(apps, schema_editor):
    periodic_task_add(
        apps,
        name=OUTBOX,
        task="outbox.deliver",
        when={"minute": "*", "hour": "*"},
        expire_seconds=300,
        description="Sends the e-mails that are due; each failed attempt is retried "
        "later, then marked failed (admin: Post Office, Emails).",
    )


def unschedule(apps, schema_editor):
    periodic_tasks_remove(apps, OUTBOX)


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
