"""Beat schedules of the watchdog (every 2 minutes) and of partition upkeep (daily, 04:30)."""

from django.db import migrations

WATCHDOG = "Billing watchdog (sends idle chunks again, restarts missed nights)"
PARTITIONS = "Usage partitions (create ahead, drop billed days past retention)"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_two_minutes, _ = CrontabSchedule.objects.get_or_create(
        minute="*/2",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=WATCHDOG,
        defaults={
            "task": "quota.billing_watchdog",
            "crontab": every_two_minutes,
            "expire_seconds": 600,
            "description": "Pending chunks nobody works on are sent again; stalled runs are "
            "reported to operators (SPEC 3.4: a run finishes by itself).",
        },
    )
    daily, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="4",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Asia/Shanghai",
    )
    PeriodicTask.objects.get_or_create(
        name=PARTITIONS,
        defaults={
            "task": "quota.usage_partitions_maintain",
            "crontab": daily,
            "expire_seconds": 20 * 3600,
            "description": "Day partitions of usage samples: made a week ahead, dropped after "
            "USAGE_RETENTION_DAYS once their day is billed.",
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name__in=[WATCHDOG, PARTITIONS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quota", "0005_partition_usage_samples"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
