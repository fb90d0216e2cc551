"""Beat schedules written by migrations (django-celery-beat's tables, through the historical
models of `apps`): one crontab in Asia/Shanghai, one named periodic task. Operators pause or
change them in admin afterwards; a migration run again changes nothing."""

BILLING_ZONE = "Asia/Shanghai"


def crontab_of(apps, *, minute: str, hour: str, day_of_month: str = "*"):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_week="*",
        day_of_month=day_of_month,
        month_of_year="*",
        timezone=BILLING_ZONE,
    )
    return crontab


def periodic_task_add(
    apps, *, name: str, task: str, when: dict, expire_seconds: int, description: str
) -> None:
    """The task `task` on the crontab `when` (minute, hour[, day_of_month]), under `name`."""
    apps.get_model("django_celery_beat", "PeriodicTask").objects.get_or_create(
        name=name,
        defaults={
            "task": task,
            "crontab": crontab_of(apps, **when),
            "expire_seconds": expire_seconds,
            "description": description,
        },
    )


def periodic_tasks_remove(apps, *names: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()
