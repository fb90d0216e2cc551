"""Start-up checks of the quota app's settings."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def usage_retention_covers_disputes(app_configs, **kwargs):
    """Raw samples must outlive both late usage (USAGE_MAX_AGE_DAYS) and disputes."""
    floor = settings.USAGE_MAX_AGE_DAYS + settings.BILLING_DISPUTE_DAYS
    if floor > settings.USAGE_RETENTION_DAYS:
        return [
            Error(
                f"USAGE_RETENTION_DAYS is {settings.USAGE_RETENTION_DAYS}; it must be at least "
                f"USAGE_MAX_AGE_DAYS + BILLING_DISPUTE_DAYS = {floor}.",
                hint="Raise USAGE_RETENTION_DAYS or lower BILLING_DISPUTE_DAYS.",
                id="quota.E001",
            )
        ]
    return []
