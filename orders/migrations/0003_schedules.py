"""Beat schedules of the wallet: arrears every day at 01:00, statements on the 3rd at 02:00."""

from django.db import migrations

SCHEDULES = [
    (
        "Arrears: reminders and locks",
        "orders.arrears_daily",
        {"minute": "0", "hour": "1", "day_of_month": "*"},
        "Reminds owners 3 days before the lock and locks accounts in arrears for 14 days (SPEC 5.4).",
    ),
    (
        "Monthly statements",
        "orders.statements_monthly",
        {"minute": "0", "hour": "2", "day_of_month": "3"},
        "Writes the statement of the previous month for every active account (SPEC 5.3).",
    ),
]


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, when, description in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            day_of_week="*", month_of_year="*", timezone="Asia/Shanghai", **when
        )
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "crontab": crontab,
                "expire_seconds": 20 * 3600,
                "description": description,
            },
        )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_order_prepaidcard_spendalert_spendalertnotice_and_more"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
