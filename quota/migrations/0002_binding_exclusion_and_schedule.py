"""A workspace's bindings never overlap in time (so it shares at most one subscription a day),
and the nightly deduction is scheduled at 00:10 Asia/Shanghai in django-celery-beat."""

from django.db import migrations

EXCLUSION = (
    "ALTER TABLE quota_binding ADD CONSTRAINT binding_workspace_days_do_not_overlap "
    "EXCLUDE USING gist (int8range(workspace_id, workspace_id, '[]') WITH &&, "
    "daterange(valid_from, valid_to) WITH &&)"
)

NIGHTLY_TASK_NAME = "Nightly deduction (bill the day that just ended)"


def schedule_nightly(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="10",
        hour="0",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=NIGHTLY_TASK_NAME,
        defaults={
            "task": "quota.deduction_nightly",
            "crontab": crontab,
            "expire_seconds": 20 * 3600,
            "description": "Bills every unbilled past day, oldest first (SPEC 3.4). Pause it here.",
        },
    )


def unschedule_nightly(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name=NIGHTLY_TASK_NAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quota", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.RunSQL(
            EXCLUSION,
            "ALTER TABLE quota_binding DROP CONSTRAINT binding_workspace_days_do_not_overlap",
        ),
        migrations.RunPython(schedule_nightly, unschedule_nightly),
    ]
